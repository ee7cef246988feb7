package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ObjectStoreContract;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared contract on the filesystem backend, plus what only a filesystem can show. */
class LocalObjectStoreContractTest extends ObjectStoreContract {
    @TempDir
    Path root;
    private ExecutorService pool;
    private LocalObjectStore store;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(4);
        store = LocalObjectStore.open(root, pool, new LocalUrlSigner(
                "contract-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8), URI.create("http://localhost"),
                Clock.systemUTC()));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected void assertNoLeftovers() {
        try (Stream<Path> temp = Files.list(root.resolve(LocalObjectStore.TEMP_DIR))) {
            assertEquals(List.of(), temp.toList(), "no temp files remain");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void leftoversOfACrashAreRemovedAtStart() throws IOException {
        Path crashed = Files.writeString(root.resolve(LocalObjectStore.TEMP_DIR).resolve("put-1.part"), "half");
        LocalObjectStore.open(root, pool, null);
        assertEquals(false, Files.exists(crashed));
    }

    @Test
    void deletesPruneEmptyFoldersButKeepTheArea() {
        put("generations/g1/clips/clip_001.mp4", new byte[10]);
        store.delete(key("generations/g1/clips/clip_001.mp4")).await().atMost(WAIT);
        assertEquals(false, Files.exists(root.resolve("generations/g1")));
        assertEquals(true, Files.isDirectory(root.resolve("generations")));
    }

    @Test
    void objectsAreFilesAtTheirKeyUnderTheRoot() throws IOException {
        put("compositions/c1/final.mp4", new byte[] {1, 2, 3});
        assertEquals(3, Files.size(root.resolve("compositions/c1/final.mp4")));
    }

    @Test
    void listingSkipsFilesThatAreNotValidKeys() throws IOException {
        put("temp/j/ok.tmp", new byte[1]);
        Files.writeString(root.resolve("temp/j/bad name.tmp"), "x");
        Files.writeString(root.resolve("temp/j/.hidden"), "x");
        Files.writeString(root.resolve("stray.txt"), "x");
        assertEquals(List.of("temp/j/ok.tmp"), list("", null).stream().map(o -> o.key().value()).toList());
    }
}
