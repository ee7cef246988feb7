package io.reelvault.cluster;

import java.util.Optional;

/**
 * Cluster locks kept outside the storage (Redis, in {@code redis/}): the seam through which {@link ClusterLocks}
 * uses them without importing their package (dependencies point from {@code redis/} to this interface, never
 * back). At most one bean implements it.
 */
public interface SharedClusterLocks {

    /**
     * The lock called {@code name}, shared by every replica using the same shared state.
     *
     * @return empty when the shared state is not configured (then {@link ClusterLocks} uses its own)
     */
    Optional<ClusterLock> named(String name);
}
