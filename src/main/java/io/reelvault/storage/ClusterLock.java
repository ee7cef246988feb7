package io.reelvault.storage;

import java.util.Optional;

/**
 * A lock that lets one holder at a time do work that must run once per cluster (usage scans, sweeps): taken
 * without waiting, or not at all. Implementations:
 * <ul>
 * <li>{@link io.reelvault.storage.local.FileClusterLock}: an OS file lock under the local storage root, shared
 * by every process using that root.</li>
 * <li>{@link InProcessClusterLock}: this process only. On S3 without Redis each replica therefore runs its own
 * scans; a Redis-backed lock (a {@code SET key token NX PX ttl} lease in {@code cache/}, the only package that
 * may import the Redis client) is the intended replacement and plugs in at {@link ClusterLocks}.</li>
 * </ul>
 */
public interface ClusterLock {

    /**
     * Takes the lock if nobody (no other process, and no other caller in this one) holds it.
     *
     * @return the held lock, to close when done; empty when it is held elsewhere
     * @throws java.io.UncheckedIOException when the lock itself cannot be used (then nobody can tell who holds it)
     */
    Optional<Held> tryLock();

    /** A lock held; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
