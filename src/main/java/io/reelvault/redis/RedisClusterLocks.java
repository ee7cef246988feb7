package io.reelvault.redis;

import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.SharedClusterLocks;
import io.reelvault.common.DaemonThreads;
import io.reelvault.config.ReelvaultConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@link SharedClusterLocks} on Redis: a {@link RedisClusterLock} per name when {@code REELVAULT_REDIS_URL} is
 * set, lease {@code REELVAULT_REDIS_LOCK_TTL}; nothing otherwise. One daemon thread renews the held leases.
 */
@Singleton
public class RedisClusterLocks implements SharedClusterLocks {
    private final RedisConnection redis;
    private final Duration ttl;
    private ScheduledExecutorService renewals; // guarded by this; made on first use

    @Inject
    RedisClusterLocks(RedisConnection redis, ReelvaultConfig config) {
        this.redis = redis;
        this.ttl = config.redis().lockTtl();
        if (redis.calls().isPresent() && ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalStateException("REELVAULT_REDIS_LOCK_TTL must be at least 1s");
        }
    }

    @Override
    public Optional<ClusterLock> named(String name) {
        return redis.calls().map(calls -> new RedisClusterLock(name, calls, ttl, renewals()));
    }

    private synchronized ScheduledExecutorService renewals() {
        if (renewals == null) {
            renewals = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("reelvault-lock-renewal"));
        }
        return renewals;
    }

    @PreDestroy
    synchronized void close() {
        if (renewals != null) {
            renewals.shutdownNow();
        }
    }
}
