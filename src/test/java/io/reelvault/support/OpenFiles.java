package io.reelvault.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The file descriptors of this JVM (Linux {@code /proc/self/fd}), for tests that a file is closed when it should be. */
public final class OpenFiles {
    private OpenFiles() {}

    /** How many of this JVM's file descriptors are open on {@code file}. */
    public static long of(Path file) {
        Path target = file.toAbsolutePath().normalize();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(target);
                        } catch (IOException | UnsupportedOperationException e) {
                            return false; // closed meanwhile
                        }
                    })
                    .count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
