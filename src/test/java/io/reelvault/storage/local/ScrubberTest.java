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
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sha256 and CRC32C each local object keeps ({@link StoredDigest}): {@link Scrubber} lists exactly the damaged
 * objects (a flipped byte, a truncated file) with both digests, counts objects without a digest as unverifiable, and a
 * full read of a damaged object fails with {@link IntegrityException} in place of its last chunk (checked by its CRC32C,
 * by its sha256 when it has none or a malformed one), also for an empty object; a wrong CRC32C fails safe.
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

        assertTrue(
                readFailure(CLIP) instanceof IntegrityException e
                        && e.key().value().equals(CLIP)
                        && e.expected().equals("crc32c:" + crc32c(clip))
                        && e.actual().equals("crc32c:" + crc32c(flipped)),
                "a full read checks the CRC32C recorded beside the sha256");
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
        // as if bytes had been lost
        StoredDigest.write(root.resolve(EMPTY), Samples.sha256(new byte[] {7}), crc32cValue(new byte[] {7}));
        assertTrue(readFailure(EMPTY) instanceof IntegrityException);
        StoredDigest.writeCrc32c(root.resolve(EMPTY), "not a crc");
        assertTrue(
                readFailure(EMPTY) instanceof IntegrityException e
                        && e.expected().equals(Samples.sha256(new byte[] {7})),
                "without a well-formed CRC32C, the sha256 is checked");
    }

    @Test
    void anObjectWithoutACrc32cIsCheckedByItsSha256() throws Exception {
        byte[] clip = Samples.mp4(300_000);
        put(CLIP, clip);
        Path file = root.resolve(CLIP);
        removeCrc32c(file); // as written before the CRC32C was kept
        assertEquals(Optional.empty(), StoredDigest.readAll(file).crc32c());
        assertArrayEquals(clip, read(CLIP), "an intact old object reads whole");
        flip(file, 200_000);
        byte[] flipped = clip.clone();
        flipped[200_000] ^= 0x01;
        assertTrue(
                readFailure(CLIP) instanceof IntegrityException e
                        && e.expected().equals(Samples.sha256(clip))
                        && e.actual().equals(Samples.sha256(flipped)),
                "its full read fails on the sha256");
        List<Scrubber.Damaged> damaged = new ArrayList<>();
        new Scrubber(root).run(damaged::add);
        assertEquals(List.of(new Scrubber.Damaged(CLIP, Samples.sha256(clip), Samples.sha256(flipped))), damaged);
    }

    @Test
    void aWrongCrc32cAttributeFailsSafeAndAMalformedOneFallsBackOnTheSha256() throws Exception {
        byte[] png = Samples.png(300_000);
        put(PNG, png);
        Path file = root.resolve(PNG);
        String wrong = String.format("%08x", (Long.parseLong(crc32c(png), 16) ^ 1));
        StoredDigest.writeCrc32c(file, wrong); // damage to the attribute, the bytes intact
        assertTrue(
                readFailure(PNG) instanceof IntegrityException e && e.expected().equals("crc32c:" + wrong),
                "never served as complete against a CRC32C that does not match");
        List<Scrubber.Damaged> damaged = new ArrayList<>();
        Scrubber.Summary summary = new Scrubber(root).run(damaged::add);
        assertEquals(
                List.of(new Scrubber.Damaged(PNG, "crc32c:" + wrong, "crc32c:" + crc32c(png))),
                damaged,
                "the scrub names the mismatching CRC32C though the sha256 matches");
        assertEquals(1, summary.damaged());

        StoredDigest.writeCrc32c(file, "0123456789"); // not 8 hex characters: as if it had none
        assertArrayEquals(png, read(PNG), "checked by its sha256, which matches");
        flip(file, 1000);
        assertTrue(
                readFailure(PNG) instanceof IntegrityException e && e.expected().equals(Samples.sha256(png)),
                "a malformed CRC32C never lets a damaged object through");
    }

    static String crc32c(byte[] bytes) {
        return StoredDigest.crc32cHex(crc32cValue(bytes));
    }

    static long crc32cValue(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    static void removeCrc32c(Path file) throws IOException {
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class).delete(StoredDigest.CRC32C_ATTRIBUTE);
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
