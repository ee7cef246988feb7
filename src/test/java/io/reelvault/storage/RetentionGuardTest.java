package io.reelvault.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.Area;
import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.LocalRoots;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard on the real filesystem backend, with a clock the test moves. */
class RetentionGuardTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant CREATED = Instant.parse("2026-11-29T18:37:00.123Z");

    @TempDir
    Path root;

    private ExecutorService pool;
    private final AdjustableClock clock = new AdjustableClock();
    private ObjectStore backend;
    private RetentionGuard guard;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(4);
        backend = LocalRoots.open(root, pool, clock);
        guard = new RetentionGuard(backend, clock);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @Test
    void aTempObjectIsServedUntilTheInstantBeforeExpiryAndNeverFrom() {
        byte[] data = {1, 2, 3, 4, 5};
        put("temp/job-1/processing/pass1.bin", data, CREATED);
        Instant expiry = Instant.parse("2026-12-07T00:00:00Z");

        clock.setTo(expiry.minusNanos(1));
        assertArrayEquals(data, read("temp/job-1/processing/pass1.bin"));
        assertEquals(
                5,
                guard.head(key("temp/job-1/processing/pass1.bin"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .size());
        assertEquals(List.of("temp/job-1/processing/pass1.bin"), keys("temp/"));

        clock.setTo(expiry);
        assertExpired(guard.get(key("temp/job-1/processing/pass1.bin"), Optional.empty()));
        assertExpired(guard.head(key("temp/job-1/processing/pass1.bin")));
        assertEquals(List.of(), keys("temp/"));
        assertEquals(List.of(), keys(""));
        // the unguarded store still sees it, for the sweeper
        assertEquals(
                1,
                backend.list(new KeyPrefix("temp/"), Optional.empty())
                        .collect()
                        .asList()
                        .await()
                        .atMost(WAIT)
                        .size());
    }

    @Test
    void generationsLiveThirtyDaysAndCompositionsNinety() {
        Instant midnight = Instant.parse("2026-01-01T00:00:00Z");
        put("generations/gen_20260101_abcdefghijkl/clips/clip_001.mp4", new byte[] {1}, midnight);
        put("compositions/comp_20260101_abcdefghijkl/final.mp4", new byte[] {2}, midnight);
        Instant generationsExpire = Instant.parse("2026-01-31T00:00:00Z");
        Instant compositionsExpire = Instant.parse("2026-04-01T00:00:00Z");
        assertEquals(Optional.of(generationsExpire), Area.GENERATIONS.expiresAt(midnight));

        clock.setTo(generationsExpire.minusNanos(1));
        assertEquals(
                List.of(
                        "compositions/comp_20260101_abcdefghijkl/final.mp4",
                        "generations/gen_20260101_abcdefghijkl/clips/clip_001.mp4"),
                keys(""));
        clock.setTo(generationsExpire);
        assertExpired(guard.get(key("generations/gen_20260101_abcdefghijkl/clips/clip_001.mp4"), Optional.empty()));
        assertArrayEquals(new byte[] {2}, read("compositions/comp_20260101_abcdefghijkl/final.mp4"));
        assertEquals(List.of("compositions/comp_20260101_abcdefghijkl/final.mp4"), keys(""));

        clock.setTo(compositionsExpire.minusNanos(1));
        assertArrayEquals(new byte[] {2}, read("compositions/comp_20260101_abcdefghijkl/final.mp4"));
        clock.setTo(compositionsExpire);
        assertExpired(guard.get(key("compositions/comp_20260101_abcdefghijkl/final.mp4"), Optional.empty()));
        assertExpired(guard.head(key("compositions/comp_20260101_abcdefghijkl/final.mp4")));
        assertEquals(List.of(), keys(""));
    }

    @Test
    void uploadsNeverExpire() {
        put(
                "uploads/u1/upload_20260101_abcdefghijkl/original.png",
                new byte[] {7},
                Instant.parse("2000-01-01T00:00:00Z"));
        clock.setTo(Instant.parse("2126-01-01T00:00:00Z"));
        assertArrayEquals(new byte[] {7}, read("uploads/u1/upload_20260101_abcdefghijkl/original.png"));
        assertTrue(guard.head(key("uploads/u1/upload_20260101_abcdefghijkl/original.png"))
                .await()
                .atMost(WAIT)
                .isPresent());
        assertEquals(List.of("uploads/u1/upload_20260101_abcdefghijkl/original.png"), keys("uploads/"));
    }

    @Test
    void refusingAnExpiredObjectReleasesTheBackendsFileHandle() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc to see open file handles");
        put("temp/job-1/big.bin", new byte[300_000], CREATED);
        Path file = root.resolve("temp/job-1/big.bin").toRealPath();
        clock.setTo(Instant.parse("2026-12-07T00:00:00Z"));
        for (int i = 0; i < 3; i++) {
            assertExpired(guard.get(key("temp/job-1/big.bin"), Optional.empty()));
            assertExpired(guard.get(
                    key("temp/job-1/big.bin"),
                    Optional.of(ByteRange.parseHeader("bytes=10-20").orElseThrow())));
        }
        assertEquals(0, openHandlesTo(file, fds), "no handle to the refused object stays open");

        // the check can fail: a read that is never finished keeps the handle
        clock.setTo(Instant.parse("2026-12-06T00:00:00Z"));
        ObjectContent open =
                guard.get(key("temp/job-1/big.bin"), Optional.empty()).await().atMost(WAIT);
        assertEquals(1, openHandlesTo(file, fds));
        open.body().collect().last().await().atMost(WAIT);
        assertEquals(0, openHandlesTo(file, fds));
    }

    @Test
    void anUnsatisfiableRangeOfAnExpiredObjectIsExpiredNot416() {
        put("temp/job-1/small.bin", new byte[10], CREATED);
        Optional<ByteRange> beyond = ByteRange.parseHeader("bytes=100-");
        clock.setTo(Instant.parse("2026-12-06T00:00:00Z"));
        ReelvaultException live = assertThrows(
                ReelvaultException.class,
                () -> guard.get(key("temp/job-1/small.bin"), beyond).await().atMost(WAIT));
        assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, live.code());
        clock.setTo(Instant.parse("2026-12-07T00:00:00Z"));
        assertExpired(guard.get(key("temp/job-1/small.bin"), beyond));
    }

    @Test
    void missingObjectsStayNotFoundAndWritesDeletesAndCapabilitiesPassThrough() {
        ReelvaultException missing = assertThrows(
                ReelvaultException.class,
                () -> guard.get(key("temp/job-1/none.bin"), Optional.empty())
                        .await()
                        .atMost(WAIT));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertEquals(
                Optional.empty(), guard.head(key("temp/job-1/none.bin")).await().atMost(WAIT));

        put("temp/job-1/a.bin", new byte[] {1}, CREATED);
        put("temp/job-1/b.bin", new byte[] {1}, CREATED);
        clock.setTo(Instant.parse("2027-01-01T00:00:00Z"));
        guard.delete(key("temp/job-1/a.bin")).await().atMost(WAIT);
        guard.deleteMany(List.of(key("temp/job-1/b.bin"))).await().atMost(WAIT);
        assertEquals(
                Optional.empty(), backend.head(key("temp/job-1/a.bin")).await().atMost(WAIT));
        assertEquals(
                Optional.empty(), backend.head(key("temp/job-1/b.bin")).await().atMost(WAIT));

        // rewriting an expired key makes a fresh object: its retention starts again
        clock.reset();
        guard.put(
                        key("temp/job-1/a.bin"),
                        Multi.createFrom().item(ByteBuffer.wrap(new byte[] {9})),
                        OptionalLong.of(1),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        assertArrayEquals(new byte[] {9}, read("temp/job-1/a.bin"));

        assertTrue(guard.capability(SignedUrls.class).isPresent());
        assertTrue(guard.capability(SignedUrlVerifier.class).isPresent());
    }

    private void put(String k, byte[] data, Instant created) {
        backend.put(
                        key(k),
                        Multi.createFrom().item(ByteBuffer.wrap(data)),
                        OptionalLong.of(data.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        try {
            Files.setLastModifiedTime(root.resolve(k), FileTime.from(created));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(
                created, backend.head(key(k)).await().atMost(WAIT).orElseThrow().lastModified());
    }

    private byte[] read(String k) {
        ObjectContent c = guard.get(key(k), Optional.empty()).await().atMost(WAIT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.body().subscribe().asStream().forEach(b -> {
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            out.writeBytes(chunk);
        });
        return out.toByteArray();
    }

    private List<String> keys(String prefix) {
        return guard.list(new KeyPrefix(prefix), Optional.empty())
                .map(i -> i.key().value())
                .collect()
                .asList()
                .await()
                .atMost(WAIT);
    }

    private static void assertExpired(Uni<?> call) {
        ReelvaultException e =
                assertThrows(ReelvaultException.class, () -> call.await().atMost(WAIT));
        assertEquals(ErrorCode.EXPIRED, e.code());
        assertEquals(404, e.code().status());
    }

    private static long openHandlesTo(Path file, Path fds) throws IOException {
        try (Stream<Path> all = Files.list(fds)) {
            return all.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(file);
                        } catch (IOException | UnsupportedOperationException e) {
                            return false; // closed while listing
                        }
                    })
                    .count();
        }
    }

    private static ObjectKey key(String k) {
        return ObjectKey.parse(k);
    }
}
