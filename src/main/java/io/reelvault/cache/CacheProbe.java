package io.reelvault.cache;

import io.smallrye.mutiny.Uni;

/**
 * What the shared state (similar cache, rate limits, locks) runs on, for the readiness details: Redis, and whether it
 * answers, or in-process. The health check depends on this port only; the Redis adapter implements it.
 */
public interface CacheProbe {
    /** The backing of the shared state. */
    enum Status {
        IN_PROCESS,
        REDIS_UP,
        REDIS_DOWN
    }

    /** In-process at once; with Redis, whether it answers a PING within the Redis deadline. Never fails. */
    Uni<Status> status();
}
