package io.reelvault.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.ratelimit.RateLimiter.Decision;
import io.reelvault.ratelimit.RateLimiter.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The token-bucket behaviour every {@link RateLimiter} shares. Time passes through {@link #elapse}: a limiter on a
 * clock the test holds moves it; one on a clock it cannot hold (Redis' {@code TIME}) waits for real. On real time,
 * refill rates are chosen so that a stall of the (loaded, 2-core) machine between two calls cannot change an
 * outcome, and no test waits long.
 */
public abstract class RateLimiterContract {
    private static int keys;

    /** The limiter under test (a fresh one per test is fine, as is a shared one). */
    protected abstract RateLimiter limiter();

    /**
     * Lets {@code time} pass for the limiter under test. By default the test waits for real, for limiters that read
     * a clock the test cannot move; a limiter on a test's clock moves it instead.
     */
    protected void elapse(Duration time) throws InterruptedException {
        Thread.sleep(time.toMillis());
    }

    protected static String freshKey() {
        return "test-" + (++keys) + "-" + System.nanoTime();
    }

    protected static Decision take(RateLimiter limiter, String key, Limit limit) {
        return limiter.acquire(key, limit).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aNewBucketAllowsTheBurstThenRefusesWithRetryAfter() {
        Limit limit = new Limit(3, 0.5); // a token every 2 s
        String key = freshKey();
        RateLimiter limiter = limiter();
        assertEquals(Decision.allowed(2), take(limiter, key, limit));
        assertEquals(Decision.allowed(1), take(limiter, key, limit));
        assertEquals(Decision.allowed(0), take(limiter, key, limit));
        Decision refused = take(limiter, key, limit);
        assertFalse(refused.allowed(), refused.toString());
        assertFalse(refused.failedOpen());
        assertEquals(0, refused.remaining());
        long retry = refused.retryAfter().toMillis();
        assertTrue(retry > 1000 && retry <= 2000, "about one token's time: " + retry + " ms");
        assertFalse(take(limiter, key, limit).allowed(), "refusals take nothing and give nothing");
    }

    @Test
    void retryAfterIsWhenTheNextTokenIsBack() throws InterruptedException {
        Limit limit = new Limit(2, 10); // a token every 100 ms
        String key = freshKey();
        RateLimiter limiter = limiter();
        Decision refused = drain(limiter, key, limit);
        assertTrue(refused.retryAfter().toMillis() <= 100, refused.toString());
        elapse(refused.retryAfter().plusMillis(5));
        assertTrue(take(limiter, key, limit).allowed(), "a token is back after retryAfter");
    }

    @Test
    void anIdleBucketRefillsOnlyUpToItsCapacity() throws InterruptedException {
        Limit limit = new Limit(2, 4); // a token every 250 ms
        String key = freshKey();
        RateLimiter limiter = limiter();
        drain(limiter, key, limit);
        elapse(Duration.ofMillis(1100)); // 4.4 tokens' worth
        assertTrue(take(limiter, key, limit).allowed());
        assertTrue(take(limiter, key, limit).allowed());
        assertFalse(take(limiter, key, limit).allowed(), "never more than the capacity");
    }

    @Test
    void bucketsAreIndependentPerKey() {
        Limit limit = new Limit(1, 0.1);
        String a = freshKey();
        String b = freshKey();
        RateLimiter limiter = limiter();
        assertTrue(take(limiter, a, limit).allowed());
        assertFalse(take(limiter, a, limit).allowed());
        assertTrue(take(limiter, b, limit).allowed(), "another key has its own bucket");
    }

    @Test
    void concurrentCallsNeverTakeMoreThanTheCapacity() throws InterruptedException {
        Limit limit = new Limit(20, 0.01);
        String key = freshKey();
        RateLimiter limiter = limiter();
        AtomicInteger allowed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    if (take(limiter, key, limit).allowed()) {
                        allowed.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(20, allowed.get(), "80 calls, exactly the capacity allowed");
    }

    /** Takes until refused; answers the refusal. */
    protected static Decision drain(RateLimiter limiter, String key, Limit limit) {
        for (int i = 0; i < 1000; i++) {
            Decision d = take(limiter, key, limit);
            if (!d.allowed()) {
                return d;
            }
        }
        throw new AssertionError("never refused");
    }
}
