package io.reelvault.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.ratelimit.RateLimiter;
import io.reelvault.ratelimit.RateLimiter.Decision;
import io.reelvault.ratelimit.RateLimiter.Limit;
import io.reelvault.ratelimit.RateLimiterContract;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisServer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisRateLimiter} against a real redis-server: the shared contract, two replicas on one bucket, and
 * fail-open when Redis is down or frozen. Measured figures are printed with the prefix {@code [measured]}.
 */
class RedisRateLimiterTest extends RateLimiterContract {
    private static final Duration TIMEOUT = Duration.ofMillis(150);
    private static final int FAILURES = 5;
    private static final Duration COOL_DOWN = Duration.ofSeconds(1);

    static RedisServer server;
    static Vertx vertx;
    static Replica first;
    final List<Replica> extra = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        server = RedisServer.launch("rate-pw-never-logged");
        vertx = Vertx.vertx();
        first = new Replica();
        Poll.until(
                Duration.ofSeconds(10),
                "the first call",
                () -> !take(first.limiter, "warm-up", new Limit(1, 1)).failedOpen());
    }

    @AfterAll
    static void stopRedis() {
        if (first != null) {
            first.client.close();
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeReplicas() {
        extra.forEach(r -> r.client.close());
        server.start(); // a fault test may have left it stopped
    }

    /** One replica: its own client and calls. */
    static final class Replica {
        /** The pool as the service configures it ({@code quarkus.redis.max-pool-waiting=1024}). */
        final Redis client = Redis.createClient(
                vertx, new RedisOptions().setConnectionString(server.url()).setMaxPoolWaiting(1024));

        final RedisCalls calls = new RedisCalls(client, TIMEOUT);
        final RedisRateLimiter limiter =
                new RedisRateLimiter(calls, new CircuitBreaker("rate limiter", FAILURES, COOL_DOWN));
    }

    Replica replica() {
        Replica r = new Replica();
        extra.add(r);
        return r;
    }

    @Override
    protected RateLimiter limiter() {
        return first.limiter;
    }

    @Test
    void twoReplicasShareOneBucket() {
        RateLimiter a = first.limiter;
        RateLimiter b = replica().limiter;
        Limit limit = new Limit(4, 0.1);
        String key = freshKey();
        assertEquals(Decision.allowed(3), take(a, key, limit));
        assertEquals(Decision.allowed(2), take(b, key, limit));
        assertEquals(Decision.allowed(1), take(a, key, limit));
        assertEquals(Decision.allowed(0), take(b, key, limit));
        assertFalse(take(a, key, limit).allowed());
        assertFalse(take(b, key, limit).allowed(), "the other replica sees the same empty bucket");
    }

    @Test
    void concurrentReplicasNeverTakeMoreThanTheCapacity() {
        List<RateLimiter> replicas = List.of(first.limiter, replica().limiter, replica().limiter);
        Limit limit = new Limit(25, 0.01);
        String key = freshKey();
        List<Uni<Decision>> all = new ArrayList<>();
        for (int i = 0; i < 90; i++) { // all in flight at once, 30 per replica
            all.add(replicas.get(i % 3).acquire(key, limit));
        }
        List<Decision> decisions = Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(10));
        assertEquals(0, decisions.stream().filter(Decision::failedOpen).count(), "all answered");
        assertEquals(25, decisions.stream().filter(Decision::allowed).count());
    }

    @Test
    void theKeyExpiresWhenTheBucketWouldBeFull() {
        Limit limit = new Limit(10, 5); // empty to full in 2 s
        String key = freshKey();
        assertTrue(take(first.limiter, key, limit).allowed());
        long pttl = Long.parseLong(
                server.command("PTTL", RedisRateLimiter.KEY_PREFIX + key).substring(1));
        assertTrue(pttl > 0 && pttl <= 200, "one token short of full: 200 ms, not more: " + pttl);
        drain(first.limiter, key, limit);
        pttl = Long.parseLong(
                server.command("PTTL", RedisRateLimiter.KEY_PREFIX + key).substring(1));
        assertTrue(pttl > 1500 && pttl <= 2000, "empty: about 2 s: " + pttl);
        String tokens = server.command("HGET", RedisRateLimiter.KEY_PREFIX + key, "tokens");
        assertTrue(Double.parseDouble(tokens) < 1, "stored as a fraction of tokens: " + tokens);
    }

    @Test
    void redisDownMeansAllowedWithinTheDeadlineAndCountedThenLimitingAgain() {
        Limit limit = new Limit(1, 0.01);
        String key = freshKey();
        server.stop();
        long worst = 0;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            Decision d = take(first.limiter, key, limit);
            worst = Math.max(worst, System.nanoTime() - start);
            assertTrue(d.allowed() && d.failedOpen(), "fail open: " + d);
        }
        System.out.printf(
                "[measured] rate limit, redis stopped (connection refused): allowed (failed open) in at most %d ms%n",
                worst / 1_000_000);

        long restarted = System.nanoTime();
        server.start(); // empty: the bucket starts full again
        int[] attempts = {0};
        Poll.until(
                Duration.ofSeconds(10),
                "the same client to answer again",
                () -> !take(first.limiter, key, limit).failedOpen() | ++attempts[0] < 0);
        System.out.printf(
                "[measured] rate limit, redis restarted: answered again %d ms after the restart began, attempt %d%n",
                (System.nanoTime() - restarted) / 1_000_000, attempts[0]);
        Decision again = take(first.limiter, key, limit);
        assertFalse(again.allowed(), "limiting again: " + again);
        assertFalse(again.failedOpen());
    }

    @Test
    void redisFrozenMeansAllowedAfterTheDeadline() {
        Limit limit = new Limit(1, 0.01);
        String key = freshKey();
        assertTrue(take(first.limiter, key, limit).allowed());
        server.pause();
        try {
            long start = System.nanoTime();
            Decision d = take(first.limiter, key, limit);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "[measured] rate limit, redis frozen (SIGSTOP): allowed (failed open) after %d ms (deadline %d ms)%n",
                    millis, TIMEOUT.toMillis());
            assertTrue(d.allowed() && d.failedOpen(), d.toString()); // take() waits 5 s at most: the deadline answered
        } finally {
            server.resume();
        }
        // the late script still runs once Redis resumes: it took the token it was refused... or not; either way empty
        Poll.until(
                Duration.ofSeconds(5),
                "answers again",
                () -> !take(first.limiter, key, limit).failedOpen());
        assertFalse(take(first.limiter, key, limit).allowed());
    }

    @Test
    void whileRedisHangsTheBreakerStopsMakingCallersWaitThenLimitsAgain() {
        Replica replica = replica(); // a breaker of its own
        Limit limit = new Limit(1, 0.01);
        String key = freshKey();
        assertTrue(take(replica.limiter, key, limit).allowed());
        server.pause();
        try {
            for (int i = 0; i < FAILURES; i++) {
                assertTrue(take(replica.limiter, key, limit).failedOpen(), "each waits out the deadline");
            }
            assertTrue(replica.limiter.breakerOpen());
            // no call to Redis, so no wait for the deadline: the decision is there as soon as it is asked for
            AtomicReference<Decision> answered = new AtomicReference<>();
            replica.limiter.acquire(key, limit).subscribe().with(answered::set);
            Decision d = answered.get();
            assertNotNull(d, "answered at once, without a round trip to Redis");
            assertTrue(d.allowed() && d.failedOpen(), d.toString());
        } finally {
            server.resume();
        }
        Poll.until(
                Duration.ofSeconds(10),
                "the breaker to let a trial through and close",
                () -> !take(replica.limiter, key, limit).failedOpen());
        assertFalse(replica.limiter.breakerOpen());
        assertFalse(take(replica.limiter, key, limit).allowed(), "limiting again");
    }
}
