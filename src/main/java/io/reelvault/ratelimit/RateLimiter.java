package io.reelvault.ratelimit;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * Token buckets, one per key: a bucket holds up to {@link Limit#capacity()} tokens (the burst), refills at
 * {@link Limit#refillPerSecond()} tokens per second, and a call is allowed when it can take one token. A key
 * never seen (or idle long enough to be full again) starts full.
 *
 * <p>Two implementations: {@link RedisRateLimiter}, whose buckets every replica shares, and
 * {@link InProcessRateLimiter}, this process's own. Neither blocks the calling thread.
 */
public interface RateLimiter {

    /**
     * Takes one token from the bucket {@code bucketKey} (created full with {@code limit} when absent).
     * Never fails: when the shared state cannot answer, the call is allowed ({@link Decision#failedOpen()}).
     *
     * @param bucketKey the bucket's name, at most a few dozen characters of {@code [A-Za-z0-9_:-]}; the caller
     *                  keeps one limit per key
     */
    Uni<Decision> acquire(String bucketKey, Limit limit);

    /**
     * A bucket's shape.
     *
     * @param capacity        the most tokens it holds, i.e. the burst; at least 1
     * @param refillPerSecond tokens added per second, positive
     */
    record Limit(int capacity, double refillPerSecond) {
        public Limit {
            if (capacity < 1) {
                throw new IllegalArgumentException("a rate limit's capacity must be at least 1");
            }
            if (!(refillPerSecond > 0) || Double.isInfinite(refillPerSecond)) {
                throw new IllegalArgumentException("a rate limit's refill rate must be positive");
            }
        }

        /** {@code perMinute} tokens a minute, bursts of up to {@code capacity}. */
        public static Limit perMinute(int capacity, double perMinute) {
            return new Limit(capacity, perMinute / 60.0);
        }

        /** How long an empty bucket takes to refill completely. */
        public Duration timeToFill() {
            return Duration.ofNanos((long) Math.ceil(capacity / refillPerSecond * 1e9));
        }
    }

    /**
     * The answer to one {@link #acquire}.
     *
     * @param allowed    whether a token was taken
     * @param remaining  whole tokens left after this call (0 when refused); unknown (0) when failed open
     * @param retryAfter when refused, how long until one token is back; zero when allowed
     * @param failedOpen the shared state did not answer (down, or past its deadline): allowed without a bucket
     */
    record Decision(boolean allowed, long remaining, Duration retryAfter, boolean failedOpen) {
        private static final Decision FAILED_OPEN = new Decision(true, 0, Duration.ZERO, true);

        public static Decision allowed(long remaining) {
            return new Decision(true, remaining, Duration.ZERO, false);
        }

        public static Decision limited(Duration retryAfter) {
            return new Decision(false, 0, retryAfter, false);
        }

        public static Decision failOpen() {
            return FAILED_OPEN;
        }
    }
}
