package io.reelvault.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.model.Area;
import io.reelvault.redis.RedisCalls;
import io.reelvault.redis.RedisClusterLock;
import io.reelvault.support.RedisResource;
import io.reelvault.support.S3RedisProfile;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * On S3 with Redis, the usage scan's lock is the Redis lease: while another replica (here the test, with a client
 * of its own) holds {@code usage}, this replica's scan is skipped; once released, it runs.
 */
@QuarkusTest
@TestProfile(S3RedisProfile.class)
class UsageScannerRedisS3Test {
    @Inject
    ClusterLocks locks;

    @Inject
    UsageScanner scanner;

    @Inject
    UsageMeter meter;

    @Test
    void theUsageLockIsTheRedisLease() {
        ClusterLock usage = locks.named("usage");
        RedisClusterLock redis = assertInstanceOf(RedisClusterLock.class, usage);
        assertEquals("reelvault:lock:usage", redis.key());
    }

    /**
     * The replicas that do not win the scan show the pass another replica published in Redis: without it they
     * showed only their own changes (ReplicasIT: three replicas' totals did not agree for 90 s).
     */
    @Test
    void aCompletedPassIsSharedAndTheOtherReplicasTakeTheNewestOne() {
        ScanRun run = scanner.run();
        assertTrue(run.passCompleted(), "one run completes a pass of this small bucket");
        String published = RedisResource.server().command("GET", "reelvault:usage:last-pass");
        assertTrue(published.matches("\\d+(;\\d+,\\d+){4}"), published);
        long completedAt = Long.parseLong(published.substring(0, published.indexOf(';')));

        // another replica completes a newer pass (as it would publish it) while it holds the scan's lease
        String newer = (completedAt + 60_000) + ";11,1100;22,2200;33,3300;44,4400";
        RedisResource.server().command("SET", "reelvault:usage:last-pass", newer);
        withTheLeaseHeldElsewhere(() -> assertTrue(scanner.run().skipped()));
        assertEquals(new UsageMeter.Totals(11, 1100), meter.current(Area.UPLOADS));
        assertEquals(new UsageMeter.Totals(44, 4400), meter.current(Area.TEMP));
        assertEquals(
                completedAt + 60_000, meter.usage().scannedAt().orElseThrow().toEpochMilli());

        // an older pass is never taken, and never replaces a newer one in Redis
        RedisResource.server().command("SET", "reelvault:usage:last-pass", (completedAt - 1) + ";1,1;2,2;3,3;4,4");
        withTheLeaseHeldElsewhere(() -> assertTrue(scanner.run().skipped()));
        assertEquals(new UsageMeter.Totals(11, 1100), meter.current(Area.UPLOADS), "the newer pass stays");
        String future = (completedAt + 3_600_000) + ";5,5;6,6;7,7;8,8";
        RedisResource.server().command("SET", "reelvault:usage:last-pass", future);
        assertTrue(scanner.run().passCompleted());
        assertEquals(
                future,
                RedisResource.server().command("GET", "reelvault:usage:last-pass"),
                "a pass completed before the one in Redis does not replace it");
    }

    /** Runs {@code action} while another replica (the test, with a Redis client of its own) holds the lease {@code usage}. */
    private static void withTheLeaseHeldElsewhere(Runnable action) {
        Vertx vertx = Vertx.vertx();
        ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();
        try {
            Redis client = Redis.createClient(vertx, RedisResource.server().url());
            ClusterLock otherReplica = new RedisClusterLock(
                    "usage", new RedisCalls(client, Duration.ofSeconds(2)), Duration.ofMinutes(1), renewals);
            try (ClusterLock.Held held = otherReplica.tryLock().orElseThrow()) {
                action.run();
            }
        } finally {
            renewals.shutdownNow();
            vertx.closeAndAwait();
        }
    }

    @Test
    void aScanIsSkippedWhileAnotherReplicaHoldsTheLock() {
        withTheLeaseHeldElsewhere(() -> {
            assertTrue(scanner.run().skipped(), "skipped while the other replica holds usage");
            assertTrue(RedisResource.server()
                    .command("GET", "reelvault:lock:usage")
                    .matches("[0-9a-f]{32}"));
        });
        ScanRun run = scanner.run();
        assertFalse(run.skipped(), "runs once the lock is free");
        assertTrue(run.pages() >= 1);
        assertEquals("$-1", RedisResource.server().command("GET", "reelvault:lock:usage"), "and gives the lease back");
    }
}
