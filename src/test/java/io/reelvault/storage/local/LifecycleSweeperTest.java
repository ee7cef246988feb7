package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.ForwardingObjectStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The local lifecycle sweeper on a real storage root, with a clock the test sets. */
class LifecycleSweeperTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");

    @TempDir
    Path root;

    private ExecutorService pool;
    private final AdjustableClock clock = new AdjustableClock();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private LocalObjectStore store;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(4);
        store = LocalObjectStore.open(root, pool, null);
        clock.setTo(NOW);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    private LifecycleSweeper sweeper(ObjectStore over, int batchSize) {
        return new LifecycleSweeper(() -> over, root, batchSize, clock, registry);
    }

    @Test
    void metersShowZeroBeforeAnySweep() {
        sweeper(store, 1000);
        for (String area : List.of("temp", "generations", "compositions")) {
            assertEquals(
                    0.0,
                    registry.get(StorageMetrics.LIFECYCLE_EXPIRED)
                            .tag("area", area)
                            .counter()
                            .count());
        }
        assertEquals(
                0,
                registry.find(StorageMetrics.LIFECYCLE_EXPIRED)
                        .tag("area", "uploads")
                        .counters()
                        .size());
        assertEquals(
                0.0, registry.get(StorageMetrics.LIFECYCLE_LAST_SUCCESS).gauge().value());
    }

    @Test
    void deletesWhatIsPastItsRetentionAndKeepsTheRest() throws IOException {
        file("temp/job-old/processing/a.tmp", NOW.minus(Duration.ofDays(8)));
        file("temp/job-old/processing/b.tmp", NOW.minus(Duration.ofDays(8)));
        file("temp/job-new/processing/a.tmp", NOW.minus(Duration.ofDays(6)));
        file("generations/gen_20260515_abcdefghijkl/clips/clip_001.mp4", NOW.minus(Duration.ofDays(31)));
        file("generations/gen_20260517_abcdefghijkl/clips/clip_001.mp4", NOW.minus(Duration.ofDays(29)));
        file("compositions/comp_20260316_abcdefghijkl/final.mp4", NOW.minus(Duration.ofDays(91)));
        file("compositions/comp_20260318_abcdefghijkl/final.mp4", NOW.minus(Duration.ofDays(89)));
        file("uploads/u1/upload_20230101_abcdefghijkl/original.png", NOW.minus(Duration.ofDays(1000)));
        // the boundary: expiry is exactly now for this one (created 7 days before a midnight)
        file("temp/job-edge/x.tmp", Instant.parse("2026-06-08T00:00:00Z"));
        file("temp/job-edge/y.tmp", Instant.parse("2026-06-08T00:00:00.000000001Z"));

        LifecycleSweeper sweeper = sweeper(store, 1000);
        clock.setTo(Instant.parse("2026-06-15T00:00:00Z"));
        SweepSummary first = sweeper.sweep();
        assertEquals(false, first.skipped());
        assertEquals(Map.of(Area.TEMP, 3L, Area.GENERATIONS, 1L, Area.COMPOSITIONS, 1L), first.deleted());
        assertEquals(5, first.total());
        assertEquals(
                List.of(
                        "compositions/comp_20260318_abcdefghijkl/final.mp4",
                        "generations/gen_20260517_abcdefghijkl/clips/clip_001.mp4",
                        "temp/job-edge/y.tmp",
                        "temp/job-new/processing/a.tmp",
                        "uploads/u1/upload_20230101_abcdefghijkl/original.png"),
                keys());
        assertCounted(3, 1, 1);
        assertEquals(
                Instant.parse("2026-06-15T00:00:00Z").getEpochSecond(),
                registry.get(StorageMetrics.LIFECYCLE_LAST_SUCCESS).gauge().value());

        SweepSummary again = sweeper.sweep();
        assertEquals(Map.of(Area.TEMP, 0L, Area.GENERATIONS, 0L, Area.COMPOSITIONS, 0L), again.deleted());
        assertCounted(3, 1, 1);

        clock.setTo(Instant.parse("2026-06-16T00:00:00Z")); // one day later, y.tmp and job-new's are past 7 days
        assertEquals(
                Map.of(Area.TEMP, 1L, Area.GENERATIONS, 0L, Area.COMPOSITIONS, 0L),
                sweeper.sweep().deleted());
        assertCounted(4, 1, 1);
        assertTrue(Files.isDirectory(root.resolve("temp")), "area folders stay");
    }

    @Test
    void deletesBatchByBatchWhileTheListingStreams() throws IOException {
        int objects = 2500;
        for (int i = 0; i < objects; i++) {
            file(String.format("temp/job-%02d/processing/part-%04d.tmp", i % 7, i), NOW.minus(Duration.ofDays(10)));
        }
        file("temp/job-young/keep.tmp", NOW);
        Recording recording = new Recording(store);
        SweepSummary summary = sweeper(recording, 1000).sweep();
        assertEquals(objects, summary.deleted().get(Area.TEMP));
        assertEquals(List.of(1000, 1000, 500), recording.batches);
        assertTrue(
                recording.listedAtFirstDelete.get() < objects,
                "the first batch is deleted before the listing is read to its end (" + recording.listedAtFirstDelete
                        + ")");
        assertCounted(objects, 0, 0);
        assertEquals(List.of("temp/job-young/keep.tmp"), keys());
    }

    @Test
    void aLockHeldInThisProcessSkipsTheRun() throws IOException {
        file("temp/job-1/a.tmp", NOW.minus(Duration.ofDays(30)));
        LifecycleSweeper sweeper = sweeper(store, 1000);
        Path lockFile = root.resolve(".locks/lifecycle.lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            assertEquals(true, sweeper.sweep().skipped());
            assertEquals(true, sweeper(store, 1000).sweep().skipped(), "a second sweeper of the same root also waits");
        }
        assertEquals(List.of("temp/job-1/a.tmp"), keys());
        assertCounted(0, 0, 0);
        assertEquals(
                0.0, registry.get(StorageMetrics.LIFECYCLE_LAST_SUCCESS).gauge().value());

        assertEquals(1, sweeper.sweep().total());
        assertEquals(List.of(), keys());
        assertEquals(
                List.of(),
                store.list(KeyPrefix.ALL, Optional.empty())
                        .collect()
                        .asList()
                        .await()
                        .atMost(WAIT),
                "the lock file is not an object");
    }

    /** In a thread of its own: a child that never prints "locked" blocks the read, and the timeout still fails the test. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLockHeldByAnotherProcessSkipsTheRun() throws Exception {
        file("temp/job-1/a.tmp", NOW.minus(Duration.ofDays(30)));
        Path lockFile = root.resolve(".locks/lifecycle.lock");
        Files.createDirectories(lockFile.getParent());
        Path holder = Files.writeString(root.getParent().resolve("LockHolder-" + System.nanoTime() + ".java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class LockHolder {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                                var lock = c.lock()) {
                            System.out.println("locked");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        Process other = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        holder.toString(),
                        lockFile.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            LifecycleSweeper sweeper = sweeper(store, 1000);
            assertEquals(true, sweeper.sweep().skipped());
            assertEquals(List.of("temp/job-1/a.tmp"), keys());

            other.getOutputStream().close(); // the other process lets go and exits
            assertTrue(other.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, sweeper.sweep().total());
            assertCounted(1, 0, 0);
        } finally {
            other.destroyForcibly();
            Files.deleteIfExists(holder);
        }
    }

    @Test
    void aFailedRunCountsWhatItDeletedAndTheNextRunRetries() throws IOException {
        for (int i = 0; i < 5; i++) {
            file("temp/job-1/part-" + i + ".tmp", NOW.minus(Duration.ofDays(30)));
        }
        AtomicInteger calls = new AtomicInteger();
        ObjectStore failingSecondBatch = new Recording(store) {
            @Override
            public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
                if (calls.incrementAndGet() == 2) {
                    return Uni.createFrom()
                            .failure(new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "local storage failed"));
                }
                return super.deleteMany(keys);
            }
        };
        LifecycleSweeper sweeper = sweeper(failingSecondBatch, 2);
        ReelvaultException e = assertThrows(ReelvaultException.class, sweeper::sweep);
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code());
        assertCounted(2, 0, 0);
        assertEquals(
                0.0, registry.get(StorageMetrics.LIFECYCLE_LAST_SUCCESS).gauge().value());

        SweepSummary retry = sweeper.sweep();
        assertEquals(false, retry.skipped(), "the failed run let go of the lock");
        assertEquals(3, retry.total());
        assertCounted(5, 0, 0);
        assertEquals(List.of(), keys());
    }

    private static final Duration ONE_DAY = Duration.ofDays(1);

    private double refusals() {
        return registry.get(StorageMetrics.LIFECYCLE_SWEEPS_REFUSED)
                .tag("reason", "clock_skew")
                .counter()
                .count();
    }

    @Test
    void aClockThatJumpedPastTheNewestWriteDeletesNothingAndSaysSo() throws IOException {
        // the clock said NOW while these were written; then it jumps 40 days ahead: every one of them "expires"
        file("temp/job-1/a.tmp", NOW.minus(Duration.ofDays(2)));
        file("generations/gen_20260610_abcdefghijkl/clips/clip_001.mp4", NOW.minus(Duration.ofDays(5)));
        file("compositions/comp_20260614_abcdefghijkl/final.mp4", NOW.minus(Duration.ofHours(20)));
        file("uploads/u1/upload_20260615_abcdefghijkl/original.png", NOW.minus(Duration.ofMinutes(5)));
        List<String> before = keys();
        LifecycleSweeper sweeper = new LifecycleSweeper(() -> store, root, 1000, clock, registry, ONE_DAY);
        assertEquals(0.0, refusals(), "registered at start");

        clock.setTo(NOW.plus(Duration.ofDays(40)));
        SweepSummary refused = sweeper.sweep();
        assertEquals(true, refused.skipped(), "nothing done");
        assertEquals(0, refused.total());
        assertEquals(before, keys(), "nothing deleted");
        assertCounted(0, 0, 0);
        assertEquals(1.0, refusals());
        assertEquals(
                0.0, registry.get(StorageMetrics.LIFECYCLE_LAST_SUCCESS).gauge().value(), "not a successful sweep");
        sweeper.sweep();
        assertEquals(2.0, refusals(), "every refused sweep counts");
        assertEquals(before, keys());

        // just within a day of the newest write: a normal sweep (the 2-day-old temp file is not due yet)
        clock.setTo(NOW.plus(ONE_DAY).minus(Duration.ofMinutes(5)));
        SweepSummary normal = sweeper.sweep();
        assertEquals(false, normal.skipped());
        assertEquals(2.0, refusals());
        assertEquals(before, keys());
    }

    @Test
    void anEmptyStoreOrTheCheckTurnedOffSweepsAsBefore() throws IOException {
        LifecycleSweeper checking = new LifecycleSweeper(() -> store, root, 1000, clock, registry, ONE_DAY);
        assertEquals(false, checking.sweep().skipped(), "nothing written yet: nothing to compare with");
        file("temp/job-1/a.tmp", NOW.minus(Duration.ofDays(8)));
        clock.setTo(NOW.plus(Duration.ofDays(40)));
        LifecycleSweeper unchecked =
                new LifecycleSweeper(() -> store, root, 1000, clock, new SimpleMeterRegistry(), Duration.ZERO);
        assertEquals(1, unchecked.sweep().total(), "0 turns the check off");
    }

    private void assertCounted(long temp, long generations, long compositions) {
        assertEquals(
                temp,
                registry.get(StorageMetrics.LIFECYCLE_EXPIRED)
                        .tag("area", "temp")
                        .counter()
                        .count());
        assertEquals(
                generations,
                registry.get(StorageMetrics.LIFECYCLE_EXPIRED)
                        .tag("area", "generations")
                        .counter()
                        .count());
        assertEquals(
                compositions,
                registry.get(StorageMetrics.LIFECYCLE_EXPIRED)
                        .tag("area", "compositions")
                        .counter()
                        .count());
    }

    private void file(String key, Instant created) throws IOException {
        Path f = root.resolve(key);
        Files.createDirectories(f.getParent());
        Files.write(f, new byte[] {1});
        Files.setLastModifiedTime(f, FileTime.from(created));
    }

    private List<String> keys() {
        return store.list(KeyPrefix.ALL, Optional.empty())
                .map(i -> i.key().value())
                .collect()
                .asList()
                .await()
                .atMost(WAIT);
    }

    /** Passes through, recording the deleteMany batches and how far the listing had got at the first one. */
    private static class Recording extends ForwardingObjectStore {
        final List<Integer> batches = new ArrayList<>();
        final AtomicLong listed = new AtomicLong();
        final AtomicLong listedAtFirstDelete = new AtomicLong(-1);

        Recording(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
            synchronized (batches) {
                batches.add(keys.size());
            }
            listedAtFirstDelete.compareAndSet(-1, listed.get());
            return delegate.deleteMany(keys);
        }

        @Override
        public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
            return delegate.list(prefix, startAfter).onItem().invoke(listed::incrementAndGet);
        }
    }
}
