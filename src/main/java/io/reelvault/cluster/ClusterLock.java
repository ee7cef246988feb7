package io.reelvault.cluster;

import java.util.Optional;

/**
 * A lock that lets one holder at a time do work that must run once per cluster (usage scans, sweeps): taken
 * without waiting, or not at all. Implementations:
 * <ul>
 * <li>{@link FileClusterLock}: an OS file lock under the local storage root, shared
 * by every process using that root.</li>
 * <li>{@code io.reelvault.redis.RedisClusterLock}: a {@code SET key token NX PX ttl} lease on Redis, shared
 * by every replica; used on S3 when {@code REELVAULT_REDIS_URL} is set. It plugs in through
 * {@link SharedClusterLocks}, since only {@code redis/} imports the Redis client.</li>
 * <li>{@link InProcessClusterLock}: this process only. On S3 without Redis each replica therefore runs its own
 * scans.</li>
 * </ul>
 */
public interface ClusterLock {

    /**
     * Takes the lock if nobody (no other process, and no other caller in this one) holds it.
     *
     * @return the held lock, to close when done; empty when it is held elsewhere, or (Redis) when the holder
     *         cannot be known because Redis is unavailable
     * @throws java.io.UncheckedIOException when a lock file cannot be used (then nobody can tell who holds it)
     */
    Optional<Held> tryLock();

    /** A lock held; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
