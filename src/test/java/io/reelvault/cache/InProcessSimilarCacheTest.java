package io.reelvault.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.AdjustableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InProcessSimilarCacheTest extends SimilarCacheContract {
    /** The system clock until a test moves it: expiry is seen by moving it, not by sleeping. */
    final AdjustableClock clock = new AdjustableClock();

    final InProcessSimilarCache cache = new InProcessSimilarCache(EMBEDDER, LSH, 1000, 64, clock);

    @Override
    protected SimilarCache cache() {
        return cache;
    }

    @Test
    void beyondMaxEntriesTheSoonestExpiringIsEvicted() {
        InProcessSimilarCache small = new InProcessSimilarCache(EMBEDDER, LSH, 2, 64, Clock.systemUTC());
        String fp = fingerprint();
        String soon = generationId();
        String later = generationId();
        String latest = generationId();
        small.put(entry(later, fp, PROMPT, Duration.ofMinutes(10))).await().indefinitely();
        small.put(entry(soon, fp, UNRELATED, Duration.ofMinutes(1))).await().indefinitely();
        small.put(entry(latest, fp, OTHER_COLOUR, Duration.ofMinutes(20)))
                .await()
                .indefinitely();
        assertEquals(2, small.size());
        double t = THRESHOLD;
        assertTrue(
                small.lookup(fp, key(UNRELATED), vector(UNRELATED), t)
                        .await()
                        .indefinitely()
                        .isEmpty(),
                "evicted");
        assertEquals(
                later,
                small.lookup(fp, key(PROMPT), vector(PROMPT), t)
                        .await()
                        .indefinitely()
                        .orElseThrow()
                        .generationId());
        assertEquals(
                latest,
                small.lookup(fp, key(OTHER_COLOUR), vector(OTHER_COLOUR), t)
                        .await()
                        .indefinitely()
                        .orElseThrow()
                        .generationId());
    }

    @Test
    void purgeDropsExpiredEntries() {
        String fp = fingerprint();
        put(entry(generationId(), fp, PROMPT, Duration.ofMillis(50)));
        put(entry(generationId(), fp, OTHER_COLOUR, Duration.ofMinutes(10)));
        int before = cache.size();
        clock.setTo(Instant.now().plusSeconds(1));
        cache.purgeExpired();
        assertEquals(before - 1, cache.size());
    }
}
