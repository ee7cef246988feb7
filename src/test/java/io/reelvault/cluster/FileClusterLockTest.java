package io.reelvault.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on {@link FileClusterLock}: its second holders are other instances on the same file under the same
 * root, as other processes sharing the root have (in this JVM the JDK refuses an overlapping lock the way the OS
 * refuses another process's). Plus what only a lock file has: where it lives, what its channel's close does, another
 * process really excluded, and a lock file that cannot be used.
 */
class FileClusterLockTest extends ClusterLockContract {
    @TempDir
    Path root;

    private final List<FileClusterLock> opened = new ArrayList<>();

    @Override
    protected ClusterLock lock(String name) {
        FileClusterLock lock = FileClusterLock.under(root, name);
        opened.add(lock);
        return lock;
    }

    @Override
    protected ClusterLock contender(String name) {
        return lock(name);
    }

    @AfterEach
    void closeChannels() {
        opened.forEach(FileClusterLock::close);
    }

    @Test
    void theLockFileLivesUnderTheRootsLocksFolderOutsideTheKeySpace() {
        String name = freshName();
        take(lock(name)).close();
        assertTrue(Files.isRegularFile(root.resolve(".locks").resolve(name + ".lock")));
    }

    /** Closing the lock (its owner goes away) drops what it holds; it can be used again after, on a new channel. */
    @Test
    void closingTheLockReleasesItsHoldAndItCanBeUsedAgain() {
        String name = freshName();
        FileClusterLock mine = (FileClusterLock) lock(name);
        take(mine);
        assertTrue(contender(name).tryLock().isEmpty());
        mine.close();
        take(contender(name)).close();
        take(mine).close();
    }

    @Test
    void aLockFileThatCannotBeUsedThrows() throws IOException {
        Files.writeString(root.resolve(".locks"), "a file where the folder should be");
        ClusterLock lock = lock(freshName());
        assertThrows(UncheckedIOException.class, lock::tryLock);
    }

    /** Another JVM on the same root: the OS lock excludes it while held here, and lets it take the lock after. */
    @Test
    void anotherProcessIsExcludedWhileHeldAndTakesItAfter() throws Exception {
        String name = freshName();
        ClusterLock.Held mine = take(lock(name));
        assertEquals("refused", tryInAnotherProcess(name));
        mine.close();
        assertEquals("taken", tryInAnotherProcess(name));
    }

    private String tryInAnotherProcess(String name) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OtherProcess.class.getName(),
                        root.toString(),
                        name)
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String answer = out.readLine();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the other process ended");
            assertEquals(0, process.exitValue(), "the other process said: " + answer);
            return answer;
        } finally {
            process.destroyForcibly();
        }
    }

    /** The other process: tries the lock once and prints {@code taken} or {@code refused}. */
    public static final class OtherProcess {
        public static void main(String[] args) {
            try (FileClusterLock lock = FileClusterLock.under(Path.of(args[0]), args[1])) {
                System.out.println(lock.tryLock()
                        .map(held -> {
                            held.close();
                            return "taken";
                        })
                        .orElse("refused"));
            }
        }
    }
}
