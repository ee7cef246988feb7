package io.reelvault.app;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.ratelimit.InProcessRateLimiter;
import io.reelvault.ratelimit.RateLimiter;
import io.reelvault.redis.CircuitBreaker;
import io.reelvault.redis.RedisConnection;
import io.reelvault.redis.RedisRateLimiter;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Picks the {@link RateLimiter}: shared on Redis when {@code REELVAULT_REDIS_URL} is set (with a circuit breaker of its
 * own, set like the similar cache's), in-process otherwise.
 */
@Dependent
public class RateLimiterProducer {

    @Produces
    @Singleton
    RateLimiter rateLimiter(RedisConnection redis, ReelvaultConfig config) {
        ReelvaultConfig.Cache settings = config.cache();
        return redis.calls()
                .<RateLimiter>map(calls -> new RedisRateLimiter(
                        calls,
                        new CircuitBreaker("rate limiter", settings.breakerFailures(), settings.breakerCoolDown())))
                .orElseGet(InProcessRateLimiter::new);
    }
}
