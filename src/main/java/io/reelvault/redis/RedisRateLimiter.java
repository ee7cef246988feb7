package io.reelvault.redis;

import io.reelvault.ratelimit.RateLimiter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@link RateLimiter} whose buckets every replica shares: a hash {@code reelvault:rate:{bucketKey}} with fields
 * {@code tokens} and {@code ts}, updated by one Lua script, so that concurrent calls from any replica never
 * lose a take. The script reads the time from Redis ({@code TIME}), not from the caller, so that replicas with
 * skewed clocks agree; it sets the key to expire once the bucket would be full again (a missing key is a full
 * bucket), so idle users cost no memory.
 *
 * <p><b>Fail open.</b> When Redis does not answer within its deadline ({@code REELVAULT_REDIS_TIMEOUT}) or fails,
 * the call is allowed ({@link Decision#failOpen()}); {@link RedisCalls} logs the outage once. There is no local
 * fallback: during an outage nothing is limited. After {@code REELVAULT_CACHE_BREAKER_FAILURES} failures in a row a
 * {@link CircuitBreaker} of its own stops calling Redis for {@code REELVAULT_CACHE_BREAKER_COOL_DOWN}: while Redis
 * hangs, an upload then waits for nothing instead of for the deadline.
 *
 * <p>The script is sent by its SHA-1 ({@link LuaScript}; by its text again after a Redis restart or fail-over).
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger LOG = Logger.getLogger(RedisRateLimiter.class);
    static final String KEY_PREFIX = "reelvault:rate:";

    /**
     * KEYS[1] the bucket; ARGV[1] capacity, ARGV[2] tokens per second. Answers {allowed 0|1, whole tokens left,
     * milliseconds until one token is back (0 when allowed)}. Times in microseconds of Redis' clock.
     */
    static final LuaScript SCRIPT = LuaScript.of("""
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(state[1])
            local ts = tonumber(state[2])
            if tokens == nil or ts == nil then
              tokens = capacity
              ts = now
            elseif now > ts then
              tokens = math.min(capacity, tokens + (now - ts) * rate / 1000000)
              ts = now
            end
            local allowed = 0
            local retry = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              retry = math.ceil((1 - tokens) * 1000 / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) * 1000 / rate)))
            return {allowed, math.floor(tokens), retry}
            """);

    private final RedisCalls redis;
    private final CircuitBreaker breaker;

    public RedisRateLimiter(RedisCalls redis, CircuitBreaker breaker) {
        this.redis = redis;
        this.breaker = breaker;
    }

    boolean breakerOpen() {
        return breaker.isOpen();
    }

    @Override
    public Uni<Decision> acquire(String bucketKey, Limit limit) {
        List<String> keys = List.of(KEY_PREFIX + bucketKey);
        List<Object> args = List.of(limit.capacity(), Double.toString(limit.refillPerSecond()));
        return breaker.call(() -> redis.eval(SCRIPT, keys, args))
                .map(RedisRateLimiter::decision)
                .onFailure()
                .recoverWithItem(failure -> {
                    LOG.debugf("rate limit not checked, allowed: %s", failure.getMessage());
                    return Decision.failOpen();
                });
    }

    private static Decision decision(Response answer) {
        if (answer.get(0).toInteger() == 1) {
            return Decision.allowed(answer.get(1).toLong());
        }
        return Decision.limited(Duration.ofMillis(answer.get(2).toLong()));
    }
}
