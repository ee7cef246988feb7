package io.reelvault.service.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.InProcessClusterLock;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.LocalRoots;
import io.smallrye.mutiny.Multi;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload sweeper's rules on one folder at a time, its lock and its meter (the API tests run it on both backends). */
class UploadSweeperTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path root;

    ExecutorService pool;
    ObjectStore store;
    final AdjustableClock clock = new AdjustableClock();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ClusterLock lock = new InProcessClusterLock();
    UploadSweeper sweeper;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(2);
        store = LocalRoots.open(root, pool, clock);
        sweeper = new UploadSweeper(() -> store, new ClusterJob(lock), GRACE, clock, registry);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    void put(String key) {
        store.put(
                        ObjectKey.parse(key),
                        Multi.createFrom().item(ByteBuffer.wrap(new byte[] {1, 2, 3})),
                        OptionalLong.of(3),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
    }

    List<String> keys() {
        return store.list(new KeyPrefix("uploads/"), Optional.empty())
                .map(i -> i.key().value())
                .collect()
                .asList()
                .await()
                .atMost(WAIT);
    }

    @Test
    void eachFolderIsJudgedByWhatItHolds() {
        put("uploads/u/upload_20260101_aaaaaaaaaaaaaaaa/metadata.json");
        put("uploads/u/upload_20260101_aaaaaaaaaaaaaaaa/original.png");
        put("uploads/u/upload_20260101_bbbbbbbbbbbbbbbb/pending.json");
        put("uploads/u/upload_20260101_bbbbbbbbbbbbbbbb/original.png");
        put("uploads/u/upload_20260101_cccccccccccccccc/original.gif");
        put("uploads/v/upload_20260101_dddddddddddddddd/metadata.json");
        put("uploads/v/upload_20260101_dddddddddddddddd/original.png");
        put("uploads/v/upload_20260101_dddddddddddddddd/pending.json");
        Instant written = Instant.now();

        clock.setTo(written.plus(Duration.ofMinutes(30)));
        UploadSweeper.Summary soon = sweeper.sweep();
        assertEquals(1, soon.deleted().get(UploadSweeper.Reason.STALE_PENDING), soon.toString());
        assertEquals(0, soon.deleted().get(UploadSweeper.Reason.ORPHAN), "within the grace: " + soon);
        assertEquals(0, soon.deleted().get(UploadSweeper.Reason.ABANDONED), "the URL and the grace still run: " + soon);

        clock.setTo(written.plus(Duration.ofMinutes(15)).plus(GRACE).plusSeconds(5));
        UploadSweeper.Summary later = sweeper.sweep();
        assertEquals(2, later.deleted().get(UploadSweeper.Reason.ABANDONED), later.toString());
        assertEquals(1, later.deleted().get(UploadSweeper.Reason.ORPHAN), later.toString());
        assertEquals(
                List.of(
                        "uploads/u/upload_20260101_aaaaaaaaaaaaaaaa/metadata.json",
                        "uploads/u/upload_20260101_aaaaaaaaaaaaaaaa/original.png",
                        "uploads/v/upload_20260101_dddddddddddddddd/metadata.json",
                        "uploads/v/upload_20260101_dddddddddddddddd/original.png"),
                keys(),
                "only what metadata reaches stays");
        assertEquals(
                3.0,
                registry.get("reelvault.uploads.swept.objects")
                                .tag("reason", "abandoned")
                                .counter()
                                .count()
                        + registry.get("reelvault.uploads.swept.objects")
                                .tag("reason", "orphan")
                                .counter()
                                .count());
    }

    @Test
    void aSweepHeldElsewhereIsSkipped() {
        put("uploads/u/upload_20260101_cccccccccccccccc/original.gif");
        clock.setTo(Instant.now().plus(Duration.ofDays(1)));
        try (ClusterLock.Held held = lock.tryLock().orElseThrow()) {
            UploadSweeper.Summary skipped = sweeper.sweep();
            assertTrue(skipped.skipped());
            assertEquals(1, keys().size());
        }
        assertFalse(sweeper.sweep().skipped());
        assertEquals(List.of(), keys());
    }

    @Test
    void theGraceOutlivesEveryUploadUrl() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new UploadSweeper(() -> store, new ClusterJob(lock), Duration.ofMinutes(14), clock, registry));
    }
}
