package io.reelvault.cache;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Picks the {@link RateLimiter}: shared on Redis when {@code REELVAULT_REDIS_URL} is set, in-process otherwise. */
@Dependent
public class RateLimiterProducer {

    @Produces
    @Singleton
    RateLimiter rateLimiter(RedisConnection redis) {
        return redis.calls().<RateLimiter>map(RedisRateLimiter::new).orElseGet(InProcessRateLimiter::new);
    }
}
