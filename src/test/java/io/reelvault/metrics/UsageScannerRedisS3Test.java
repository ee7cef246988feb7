package io.reelvault.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.cache.RedisCalls;
import io.reelvault.cache.RedisClusterLock;
import io.reelvault.storage.ClusterLock;
import io.reelvault.storage.ClusterLocks;
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

    @Test
    void theUsageLockIsTheRedisLease() {
        ClusterLock usage = locks.named("usage");
        RedisClusterLock redis = assertInstanceOf(RedisClusterLock.class, usage);
        assertEquals("reelvault:lock:usage", redis.key());
    }

    @Test
    void aScanIsSkippedWhileAnotherReplicaHoldsTheLock() {
        Vertx vertx = Vertx.vertx();
        ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();
        try {
            Redis client = Redis.createClient(vertx, RedisResource.server().url());
            ClusterLock otherReplica = new RedisClusterLock("usage", new RedisCalls(client, Duration.ofSeconds(2)),
                    Duration.ofMinutes(1), renewals);
            try (ClusterLock.Held held = otherReplica.tryLock().orElseThrow()) {
                assertTrue(scanner.run().skipped(), "skipped while the other replica holds usage");
                assertTrue(RedisResource.server().command("GET", "reelvault:lock:usage").matches("[0-9a-f]{32}"));
            }
            ScanRun run = scanner.run();
            assertFalse(run.skipped(), "runs once the lock is free");
            assertTrue(run.pages() >= 1);
            assertEquals("$-1", RedisResource.server().command("GET", "reelvault:lock:usage"), "and gives the lease back");
        } finally {
            renewals.shutdownNow();
            vertx.closeAndAwait();
        }
    }
}
