package io.reelvault.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.ratelimit.RateLimiter.Decision;
import io.reelvault.ratelimit.RateLimiter.Limit;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link InProcessRateLimiter}: the shared contract and the exact math, both on a hand-moved clock. */
class InProcessRateLimiterTest extends RateLimiterContract {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final InProcessRateLimiter shared = onHandClock(InProcessRateLimiter.DEFAULT_MAX_BUCKETS);

    @Override
    protected RateLimiter limiter() {
        return shared;
    }

    @Override
    protected void elapse(Duration time) {
        advance(time);
    }

    InProcessRateLimiter onHandClock(int maxBuckets) {
        return new InProcessRateLimiter(maxBuckets, nanos::get);
    }

    void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Test
    void exactRefillAndRetryAfterOnAHandMovedClock() {
        InProcessRateLimiter limiter = onHandClock(100);
        Limit limit = Limit.perMinute(3, 30); // a token every 2 s
        for (int i = 2; i >= 0; i--) {
            assertEquals(Decision.allowed(i), limiter.acquireNow("k", limit));
        }
        assertEquals(Decision.limited(Duration.ofSeconds(2)), limiter.acquireNow("k", limit));
        advance(Duration.ofMillis(1500));
        assertEquals(Decision.limited(Duration.ofMillis(500)), limiter.acquireNow("k", limit), "three quarters back");
        advance(Duration.ofMillis(500));
        assertEquals(Decision.allowed(0), limiter.acquireNow("k", limit), "one whole token back after 2 s");
        advance(Duration.ofMinutes(10));
        assertEquals(Decision.allowed(2), limiter.acquireNow("k", limit), "full again, not more");
    }

    @Test
    void aClockThatDoesNotMoveRefillsNothing() {
        InProcessRateLimiter limiter = onHandClock(100);
        Limit limit = new Limit(1, 1000);
        assertTrue(limiter.acquireNow("k", limit).allowed());
        assertFalse(limiter.acquireNow("k", limit).allowed());
        assertEquals(Duration.ofMillis(1), limiter.acquireNow("k", limit).retryAfter());
    }

    @Test
    void fullBucketsAreDroppedAndTheMapStaysBounded() {
        InProcessRateLimiter limiter = onHandClock(50);
        Limit limit = new Limit(2, 1); // full again 2 s after its last take
        for (int i = 0; i < 40; i++) {
            limiter.acquireNow("idle-" + i, limit);
        }
        assertEquals(40, limiter.size());
        advance(Duration.ofSeconds(11)); // past the cleanup interval: all of them are full
        limiter.acquireNow("new", limit);
        assertEquals(1, limiter.size(), "only the bucket just used is kept");

        for (int i = 0; i < 200; i++) { // more keys active at once than the bound
            limiter.acquireNow("busy-" + i, limit);
            advance(Duration.ofMillis(1));
        }
        assertTrue(limiter.size() <= 50 + 100, "bounded, give or take one spacing's new keys: " + limiter.size());
        advance(Duration.ofMillis(150));
        limiter.acquireNow("one-more", limit);
        assertTrue(limiter.size() <= 50, "down to the bound at the next cleanup: " + limiter.size());
    }

    @Test
    void overTheBoundEvenDrainedBucketsAreDropped() {
        InProcessRateLimiter limiter = onHandClock(1);
        Limit limit = new Limit(1, 0.001);
        assertTrue(limiter.acquireNow("a", limit).allowed());
        assertFalse(limiter.acquireNow("a", limit).allowed());
        advance(Duration.ofSeconds(11));
        limiter.acquireNow("b", limit); // cleanup: neither is full, but over the bound one goes
        assertEquals(1, limiter.size());
    }

    @Test
    void limitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Limit(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Limit(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Limit(1, Double.NaN));
        assertEquals(Duration.ofSeconds(20), Limit.perMinute(10, 30).timeToFill());
    }
}
