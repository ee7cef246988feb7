package io.reelvault.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.cache.CacheUnavailableException;
import io.reelvault.cache.SimilarCache;
import io.reelvault.cache.SimilarCache.Hit;
import io.reelvault.cache.SimilarCacheContract;
import io.reelvault.similarity.LshIndex;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisServer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on a real redis-server, plus what only a remote store does: fail, fail fast, come back. */
class RedisSimilarCacheTest extends SimilarCacheContract {
    private static final Duration TIMEOUT = Duration.ofMillis(150);
    /** The contract's cache waits longer: on a loaded machine 20 concurrent claims can take more than the fault tests' deadline. */
    private static final Duration PATIENT = Duration.ofSeconds(3);

    private static final int FAILURES = 5;
    private static final Duration COOL_DOWN = Duration.ofSeconds(1);

    static RedisServer server;
    static Vertx vertx;
    static Redis client;
    static RedisCalls calls;
    static RedisSimilarCache shared;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.launch();
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
        calls = new RedisCalls(client, TIMEOUT);
        shared = newCache(new RedisCalls(client, PATIENT), Duration.ofSeconds(5));
        Poll.until(Duration.ofSeconds(10), "a warm client", () -> {
            try {
                calls.call(Request.cmd(Command.PING));
                return true;
            } catch (RedisUnavailableException e) {
                return false;
            }
        });
    }

    static RedisSimilarCache newCache(Duration coolDown) {
        return newCache(calls, coolDown);
    }

    static RedisSimilarCache newCache(RedisCalls calls, Duration coolDown) {
        return new RedisSimilarCache(
                calls, EMBEDDER, LSH, 64, new CircuitBreaker("test cache", FAILURES, coolDown), Clock.systemUTC());
    }

    @AfterAll
    static void stopRedis() {
        if (vertx != null) {
            client.close();
            vertx.closeAndAwait();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void restart() {
        server.resume();
        server.start(); // a fault test may have left it stopped
    }

    @Override
    protected SimilarCache cache() {
        return shared;
    }

    @Test
    void scriptsAreSentByTheirShaAndLoadedAgainWhenRedisForgetsThem() {
        String fp = fingerprint();
        String id = generationId();
        put(entry(id, fp, PROMPT, Duration.ofMinutes(5)));
        calls.call(Request.cmd(Command.SCRIPT).arg("FLUSH")); // as after a restart of Redis
        Optional<Hit> hit = cache().lookup(fp, key(PROMPT + " please"), vector(PROMPT), 0.95)
                .await()
                .atMost(WAIT);
        assertEquals(id, hit.orElseThrow().generationId());
        assertEquals(Hit.Kind.SIMILAR, hit.get().kind());
        String loaded = calls.call(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(RedisSimilarCache.LOOKUP.sha1()))
                .get(0)
                .toString();
        assertEquals("1", loaded, "the lookup script is cached again under its SHA-1");
        assertFalse(shared.breakerOpen(), "NOSCRIPT is not a failure of Redis");
    }

    @Test
    void everyKeyHasATtlAndTheLayoutIsAsDocumented() {
        String fp = fingerprint();
        String id = generationId();
        put(entry(id, fp, PROMPT, Duration.ofMinutes(5)));
        Response keys = calls.call(Request.cmd(Command.KEYS).arg(shared.scope(fp) + "*"));
        assertEquals(1 + LSH.bucketKeys(vector(PROMPT)).size(), keys.size(), "the exact key and 40 buckets: " + keys);
        for (Response key : keys) {
            long ttl = calls.call(Request.cmd(Command.PTTL).arg(key.toString())).toLong();
            assertTrue(ttl > 200_000 && ttl <= 300_000, key + " expires with the entry: " + ttl);
        }
        assertEquals(
                id,
                calls.call(Request.cmd(Command.GET).arg(shared.exactKey(fp, key(PROMPT))))
                        .toString());
        long entryTtl =
                calls.call(Request.cmd(Command.PTTL).arg(shared.entryKey(id))).toLong();
        assertTrue(entryTtl > 200_000, "the entry hash too: " + entryTtl);
        // short names (40 bucket keys per entry), and another embedder or index never sees these entries
        assertEquals(36, shared.scope(fp).length(), shared.scope(fp));
        RedisSimilarCache otherIndex = new RedisSimilarCache(
                calls,
                EMBEDDER,
                new LshIndex(EMBEDDER.dimensions(), 40, 20, 1),
                64,
                new CircuitBreaker("other index", FAILURES, COOL_DOWN),
                Clock.systemUTC());
        assertTrue(shared.base().startsWith("rv:sc:") && !shared.base().equals(otherIndex.base()), otherIndex.base());
        assertEquals(
                Optional.empty(),
                otherIndex.lookup(fp, key(PROMPT), vector(PROMPT), 0.95).await().atMost(WAIT));
        cache().remove(id).await().atMost(WAIT);
        assertEquals(
                0,
                calls.call(Request.cmd(Command.KEYS).arg(shared.scope(fp) + "*"))
                        .size(),
                "remove leaves nothing");
        assertEquals(
                0L,
                calls.call(Request.cmd(Command.EXISTS).arg(shared.entryKey(id))).toLong());
    }

    @Test
    void aBucketLivesAsLongAsItsLongestLivedMemberAndStaleMembersAreDropped() {
        String fp = fingerprint();
        String longLived = generationId();
        String shortLived = generationId();
        put(entry(longLived, fp, LONG + ", 4k", Duration.ofMinutes(10)));
        put(entry(shortLived, fp, LONG, Duration.ofMillis(400)));
        String bucket = shared.scope(fp) + LSH.bucketKeys(vector(LONG)).get(0);
        Poll.until(
                WAIT,
                "the short entry's hash to expire",
                () -> calls.call(Request.cmd(Command.EXISTS).arg(shared.entryKey(shortLived)))
                                .toLong()
                        == 0);
        Optional<Hit> hit = lookup(fp, LONG);
        assertEquals(longLived, hit.orElseThrow().generationId(), "the expired member is skipped");
        assertEquals(null, calls.call(Request.cmd(Command.ZSCORE).arg(bucket).arg(shortLived)), "and dropped");
    }

    @Test
    void aPutIntoABucketDropsMembersWhoseEntriesExpired() {
        String fp = fingerprint();
        String longLived = generationId();
        String shortLived = generationId();
        put(entry(longLived, fp, LONG + ", 4k", Duration.ofMinutes(10))); // keeps the shared buckets alive
        put(entry(shortLived, fp, LONG, Duration.ofMillis(300)));
        List<String> mine = LSH.bucketKeys(vector(LONG));
        List<String> its = LSH.bucketKeys(vector(LONG + ", 4k"));
        int shared0 = IntStream.range(0, mine.size())
                .filter(b -> mine.get(b).equals(its.get(b)))
                .findFirst()
                .orElseThrow();
        String bucket = shared.scope(fp) + mine.get(shared0);
        Poll.until(
                WAIT,
                "the short entry's hash to expire",
                () -> calls.call(Request.cmd(Command.EXISTS).arg(shared.entryKey(shortLived)))
                                .toLong()
                        == 0);
        assertEquals(
                2L,
                calls.call(Request.cmd(Command.ZCARD).arg(bucket)).toLong(),
                "still a member: nothing read the bucket");
        put(entry(generationId(), fp, LONG, Duration.ofMinutes(5))); // the short entry's buckets again
        assertEquals(null, calls.call(Request.cmd(Command.ZSCORE).arg(bucket).arg(shortLived)), "dropped by the put");
        assertEquals(2L, calls.call(Request.cmd(Command.ZCARD).arg(bucket)).toLong());
    }

    @Test
    void redisStoppedFailsWithinTheDeadlineThenTheBreakerFailsFastThenItHitsAgain() {
        RedisSimilarCache cache = newCache(COOL_DOWN);
        String fp = fingerprint();
        String id = generationId();
        cache.put(entry(id, fp, PROMPT, Duration.ofMinutes(5))).await().atMost(WAIT);
        String promptKey = key(PROMPT);
        float[] vector = vector(PROMPT);
        server.stop();
        long worst = 0;
        for (int i = 0; i < FAILURES; i++) {
            long start = System.nanoTime();
            assertThrows(
                    CacheUnavailableException.class,
                    () -> cache.lookup(fp, key(PROMPT), vector(PROMPT), THRESHOLD)
                            .await()
                            .atMost(WAIT));
            worst = Math.max(worst, System.nanoTime() - start);
        }
        System.out.printf(
                "[measured] redis stopped: lookup failed in at most %d ms (deadline %d ms)%n",
                worst / 1_000_000, TIMEOUT.toMillis());
        assertTrue(cache.breakerOpen(), "open after " + FAILURES + " failures in a row");
        long fastest = Long.MAX_VALUE;
        long slowest = 0;
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            assertThrows(
                    CacheUnavailableException.class,
                    () -> cache.lookup(fp, promptKey, vector, THRESHOLD).await().atMost(WAIT));
            long took = System.nanoTime() - start;
            fastest = Math.min(fastest, took);
            slowest = Math.max(slowest, took);
        }
        System.out.printf("[measured] breaker open: lookup failed in %.3f to %.3f ms%n", fastest / 1e6, slowest / 1e6);
        // fails fast: refused before any call to Redis, so the failure is there as soon as the lookup is subscribed to
        AtomicReference<Throwable> refused = new AtomicReference<>();
        cache.lookup(fp, promptKey, vector, THRESHOLD).subscribe().with(hit -> {}, refused::set);
        assertTrue(
                refused.get() instanceof CacheUnavailableException
                        && refused.get().getMessage().contains("circuit breaker open"),
                "refused at once, without a round trip to Redis: " + refused.get());

        server.start(); // empty: no persistence
        long restarted = System.nanoTime();
        cache.put(entry(id, fp, PROMPT, Duration.ofMinutes(5)))
                .onFailure()
                .recoverWithNull()
                .await()
                .atMost(WAIT);
        Poll.until(Duration.ofSeconds(10), "the same client to hit again", () -> {
            try {
                cache.put(entry(id, fp, PROMPT, Duration.ofMinutes(5))).await().atMost(WAIT);
                return cache.lookup(fp, key(PROMPT), vector(PROMPT), THRESHOLD)
                        .await()
                        .atMost(WAIT)
                        .isPresent();
            } catch (CacheUnavailableException e) {
                return false;
            }
        });
        long millis = (System.nanoTime() - restarted) / 1_000_000;
        System.out.printf(
                "[measured] redis restarted: hits again after %d ms (cool-down %d ms)%n", millis, COOL_DOWN.toMillis());
        assertTrue(!cache.breakerOpen(), "closed again");
    }

    @Test
    void redisFrozenFailsWithinTheDeadline() {
        RedisSimilarCache cache = newCache(COOL_DOWN);
        String fp = fingerprint();
        cache.put(entry(generationId(), fp, PROMPT, Duration.ofMinutes(5)))
                .await()
                .atMost(WAIT);
        server.pause();
        try {
            long start = System.nanoTime();
            var e = assertThrows(
                    CacheUnavailableException.class,
                    () -> cache.lookup(fp, key(PROMPT), vector(PROMPT), THRESHOLD)
                            .await()
                            .atMost(WAIT));
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "[measured] redis frozen (SIGSTOP): lookup failed after %d ms (deadline %d ms)%n",
                    millis, TIMEOUT.toMillis());
            assertTrue(
                    e.getMessage().contains("no answer within " + TIMEOUT.toMillis() + " ms"),
                    "the deadline's failure: " + e);
        } finally {
            server.resume();
        }
    }
}
