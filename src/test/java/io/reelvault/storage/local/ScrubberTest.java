package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IntegrityException;
import io.reelvault.support.Samples;
import io.smallrye.mutiny.Multi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sha256 each local object keeps ({@link StoredDigest}): {@link Scrubber} lists exactly the damaged objects (a
 * flipped byte, a truncated file) with both digests, counts objects without a digest as unverifiable, and a full read
 * of a damaged object fails with {@link IntegrityException} in place of its last chunk, also for an empty object.
 */
class ScrubberTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String PNG = "uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png";
    static final String CLIP = "generations/u1/gen_20260101_bbbbbbbbbbbb/clips/clip_001.mp4";
    static final String EMPTY = "temp/job1/empty.tmp";
    static final String LEGACY = "temp/job1/legacy.tmp";

    @TempDir
    Path root;

    private ExecutorService pool;
    private LocalObjectStore store;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(2);
        store = LocalObjectStore.open(root, pool, null);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @Test
    void scrubListsExactlyTheDamagedObjectsAndFullReadsOfThemFail() throws Exception {
        byte[] png = Samples.png(300_000);
        byte[] clip = Samples.mp4(50_000);
        put(PNG, png);
        put(CLIP, clip);
        put(EMPTY, new byte[0]);
        Files.write(root.resolve(LEGACY), new byte[] {1, 2, 3}); // written behind the store's back: no digest

        List<Scrubber.Damaged> damaged = new ArrayList<>();
        Scrubber.Summary intact = new Scrubber(root).run(damaged::add);
        assertEquals(List.of(), damaged);
        assertEquals(new Scrubber.Summary(3, 1, png.length + clip.length, 0), intact);
        assertArrayEquals(png, read(PNG), "an intact object reads whole");
        assertArrayEquals(new byte[] {1, 2, 3}, read(LEGACY), "one without a digest is served unverified");

        flip(root.resolve(CLIP), 1234);
        try (RandomAccessFile f = new RandomAccessFile(root.resolve(PNG).toFile(), "rw")) {
            f.setLength(1000); // truncated at rest: same inode, same attribute, fewer bytes
        }
        Scrubber.Summary found = new Scrubber(root).run(damaged::add);
        assertEquals(
                List.of(CLIP, PNG), damaged.stream().map(Scrubber.Damaged::key).toList(), "in key order");
        byte[] flipped = clip.clone();
        flipped[1234] ^= 0x01;
        Scrubber.Damaged c =
                damaged.stream().filter(d -> d.key().equals(CLIP)).findFirst().orElseThrow();
        assertEquals(Samples.sha256(clip), c.expected());
        assertEquals(Samples.sha256(flipped), c.actual());
        assertEquals(2, found.damaged());
        assertEquals(1, found.verified());

        assertTrue(readFailure(CLIP) instanceof IntegrityException e
                && e.key().value().equals(CLIP));
        assertTrue(readFailure(PNG) instanceof IntegrityException);
        assertArrayEquals(new byte[0], read(EMPTY), "an intact empty object");
    }

    @Test
    void theScheduledScrubCountsEachDamagedObjectUnderItsArea() throws Exception {
        put(PNG, Samples.png(1000));
        put(CLIP, Samples.mp4(1000));
        flip(root.resolve(CLIP), 500);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Scrubber.Summary summary = new ScheduledScrub(root, registry).scrub().orElseThrow();
        assertEquals(1, summary.damaged());
        assertEquals(
                1.0,
                registry.get(StorageMetrics.INTEGRITY_FAILURES)
                        .tag("area", "generations")
                        .counter()
                        .count());
        assertEquals(
                0,
                registry.find(StorageMetrics.INTEGRITY_FAILURES)
                        .tag("area", "uploads")
                        .counters()
                        .size());
    }

    @Test
    void anEmptyObjectIsCheckedToo() throws Exception {
        put(EMPTY, new byte[0]);
        StoredDigest.write(root.resolve(EMPTY), Samples.sha256(new byte[] {7})); // as if bytes had been lost
        assertTrue(readFailure(EMPTY) instanceof IntegrityException);
    }

    void put(String key, byte[] bytes) {
        store.put(
                        ObjectKey.parse(key),
                        Multi.createFrom().item(ByteBuffer.wrap(bytes)),
                        OptionalLong.of(bytes.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
    }

    byte[] read(String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.get(ObjectKey.parse(key), Optional.empty())
                .onItem()
                .transformToMulti(c -> c.body())
                .subscribe()
                .asStream()
                .forEach(b -> {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    out.writeBytes(chunk);
                });
        return out.toByteArray();
    }

    Throwable readFailure(String key) {
        try {
            read(key);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }
}
