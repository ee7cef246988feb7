package io.reelvault.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.cache.SimilarCache.Entry;
import io.reelvault.cache.SimilarCache.Hit;
import io.reelvault.similarity.HashedNgramEmbedder;
import io.reelvault.similarity.LshIndex;
import io.reelvault.similarity.PromptEmbedder;
import io.reelvault.similarity.PromptNormalizer;
import io.reelvault.similarity.SimilarityThreshold;
import io.reelvault.support.Poll;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SimilarCache} does, whatever its store. Each test works under its own fingerprint, so that
 * tests sharing one store never see each other's entries.
 */
public abstract class SimilarCacheContract {
    protected static final PromptEmbedder EMBEDDER = new HashedNgramEmbedder();
    protected static final LshIndex LSH = new LshIndex(EMBEDDER.dimensions());
    protected static final double THRESHOLD = SimilarityThreshold.DEFAULT.value();
    protected static final Duration WAIT = Duration.ofSeconds(5);
    private static final AtomicInteger IDS = new AtomicInteger();

    protected static final String PROMPT = "A red fox running through a snowy forest at dawn, cinematic lighting";
    protected static final String PARAPHRASE = "cinematic lighting: at dawn a red fox running through the snowy forest";
    protected static final String OTHER_COLOUR =
            "A blue fox running through a snowy forest at dawn, cinematic lighting";
    /** A long prompt: one more word moves its vector only a little. */
    protected static final String LONG =
            "A red fox running through a snowy pine forest at dawn, soft golden light, gentle breeze, falling"
                    + " snowflakes, distant mountains, quiet river, frozen lake, wooden cabin, smoke rising from the chimney, cinematic"
                    + " wide shot, slow camera pan, shallow depth of field, film grain, warm colour grading, calm peaceful mood";

    protected static final String UNRELATED = "Aerial shot of a container ship crossing a stormy ocean";

    /** The store under test (the same one for every call of a test). */
    protected abstract SimilarCache cache();

    protected static String fingerprint() {
        return "pf1:test-" + System.nanoTime() + "-" + IDS.incrementAndGet();
    }

    protected static String generationId() {
        return "gen_20261101_" + Long.toString(System.nanoTime(), 36) + IDS.incrementAndGet();
    }

    protected static String key(String prompt) {
        return PromptNormalizer.exactKey(prompt);
    }

    protected static float[] vector(String prompt) {
        return EMBEDDER.embed(PromptNormalizer.normalize(prompt));
    }

    protected static Entry entry(String id, String fingerprint, String prompt, Duration ttl) {
        return new Entry(
                id, fingerprint, key(prompt), vector(prompt), Instant.now().plus(ttl));
    }

    protected Optional<Hit> lookup(String fingerprint, String prompt) {
        return cache().lookup(fingerprint, key(prompt), vector(prompt), THRESHOLD)
                .await()
                .atMost(WAIT);
    }

    protected void put(Entry entry) {
        cache().put(entry).await().atMost(WAIT);
    }

    @Test
    void anExactPromptHits() {
        String fp = fingerprint();
        String id = generationId();
        put(entry(id, fp, PROMPT, Duration.ofMinutes(5)));
        assertEquals(Optional.of(new Hit(id, Hit.Kind.EXACT, 1.0)), lookup(fp, PROMPT));
        assertEquals(
                Optional.of(new Hit(id, Hit.Kind.EXACT, 1.0)),
                lookup(fp, "a RED fox running through a snowy forest at dawn cinematic lighting!"),
                "normalised to the same key");
    }

    @Test
    void aSimilarPromptHitsWithItsSimilarity() {
        String fp = fingerprint();
        String id = generationId();
        put(entry(id, fp, LONG, Duration.ofMinutes(5)));
        put(entry(generationId(), fp, UNRELATED, Duration.ofMinutes(5)));
        String near = LONG + ", 4k";
        double cosine = PromptEmbedder.cosine(vector(LONG), vector(near));
        assertTrue(cosine >= THRESHOLD && cosine < 0.99, "one more word: similar, not identical: " + cosine);
        Hit hit = lookup(fp, near).orElseThrow();
        assertEquals(id, hit.generationId());
        assertEquals(Hit.Kind.SIMILAR, hit.kind());
        assertEquals(cosine, hit.similarity(), 1e-6);
    }

    @Test
    void aReorderedPromptIsSimilarNotExact() {
        String fp = fingerprint();
        String id = generationId();
        put(entry(id, fp, PROMPT, Duration.ofMinutes(5)));
        Hit hit = lookup(fp, PARAPHRASE).orElseThrow();
        assertEquals(new Hit(id, Hit.Kind.SIMILAR, PromptEmbedder.cosine(vector(PROMPT), vector(PARAPHRASE))), hit);
    }

    @Test
    void theMostSimilarEntryWins() {
        String fp = fingerprint();
        String near = generationId();
        String nearer = generationId();
        put(entry(near, fp, LONG + ", 4k detailed", Duration.ofMinutes(5)));
        put(entry(nearer, fp, LONG + ", 4k", Duration.ofMinutes(5)));
        Hit hit = lookup(fp, LONG).orElseThrow();
        assertEquals(nearer, hit.generationId(), hit.toString());
        assertEquals(PromptEmbedder.cosine(vector(LONG), vector(LONG + ", 4k")), hit.similarity(), 1e-6);
    }

    @Test
    void anotherFingerprintNeverHits() {
        String fp = fingerprint();
        put(entry(generationId(), fp, PROMPT, Duration.ofMinutes(5)));
        String other = fingerprint();
        assertEquals(Optional.empty(), lookup(other, PROMPT));
        assertEquals(Optional.empty(), lookup(other, PARAPHRASE));
    }

    @Test
    void belowTheThresholdMisses() {
        String fp = fingerprint();
        put(entry(generationId(), fp, PROMPT, Duration.ofMinutes(5)));
        double cosine = PromptEmbedder.cosine(vector(PROMPT), vector(OTHER_COLOUR));
        assertTrue(cosine < THRESHOLD, "another colour is a near-miss: " + cosine);
        assertEquals(Optional.empty(), lookup(fp, OTHER_COLOUR));
        assertEquals(Optional.empty(), lookup(fp, UNRELATED));
    }

    @Test
    void anExpiredEntryMisses() {
        String fp = fingerprint();
        put(entry(generationId(), fp, PROMPT, Duration.ofMillis(300)));
        assertTrue(lookup(fp, PROMPT).isPresent());
        Poll.until(
                WAIT,
                "the entry to expire",
                () -> lookup(fp, PROMPT).isEmpty() && lookup(fp, PARAPHRASE).isEmpty());
        put(entry(generationId(), fp, PROMPT, Duration.ofMillis(-1)));
        assertEquals(Optional.empty(), lookup(fp, PROMPT), "an entry put already expired never answers");
    }

    @Test
    void aRemovedEntryMissesAndRemoveIsIdempotent() {
        String fp = fingerprint();
        String id = generationId();
        put(entry(id, fp, PROMPT, Duration.ofMinutes(5)));
        cache().remove(id).await().atMost(WAIT);
        assertEquals(Optional.empty(), lookup(fp, PROMPT));
        assertEquals(Optional.empty(), lookup(fp, PARAPHRASE));
        cache().remove(id).await().atMost(WAIT);
        cache().remove(generationId()).await().atMost(WAIT);
    }

    @Test
    void removingAReplacedEntryKeepsItsSuccessor() {
        String fp = fingerprint();
        String first = generationId();
        String second = generationId();
        put(entry(first, fp, PROMPT, Duration.ofMinutes(5)));
        put(entry(second, fp, PROMPT, Duration.ofMinutes(5)));
        cache().remove(first).await().atMost(WAIT);
        assertEquals(Optional.of(new Hit(second, Hit.Kind.EXACT, 1.0)), lookup(fp, PROMPT));
    }

    @Test
    void theFirstClaimWinsAndOthersLearnTheHolder() {
        String fp = fingerprint();
        String a = generationId();
        String b = generationId();
        assertEquals(a, claim(fp, a, Duration.ofMinutes(1)));
        assertEquals(a, claim(fp, b, Duration.ofMinutes(1)), "the second caller gets the holder");
        cache().release(fp, key(PROMPT), b).await().atMost(WAIT);
        assertEquals(a, claim(fp, b, Duration.ofMinutes(1)), "a release by a non-holder is ignored");
        cache().release(fp, key(PROMPT), a).await().atMost(WAIT);
        assertEquals(b, claim(fp, b, Duration.ofMinutes(1)), "released: claimable again");
        assertEquals(b, claim(fp, generationId(), Duration.ofMinutes(1)), "the new holder");
        assertEquals(a, claim(fingerprint(), a, Duration.ofMinutes(1)), "claims are per fingerprint");
    }

    @Test
    void aClaimExpiresWithItsTtl() {
        String fp = fingerprint();
        String a = generationId();
        String b = generationId();
        assertEquals(a, claim(fp, a, Duration.ofMillis(300)));
        assertEquals(a, claim(fp, b, Duration.ofMillis(300)));
        Poll.until(
                WAIT,
                "the claim to expire",
                () -> claim(fp, b, Duration.ofMinutes(1)).equals(b));
    }

    @Test
    void ofConcurrentClaimsExactlyOneWins() throws Exception {
        String fp = fingerprint();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(generationId());
        }
        ExecutorService pool = Executors.newFixedThreadPool(ids.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> holders = new ArrayList<>();
            for (String id : ids) {
                holders.add(pool.submit(() -> {
                    start.await();
                    return cache().claim(fp, key(PROMPT), id, Duration.ofMinutes(1))
                            .await()
                            .atMost(WAIT);
                }));
            }
            start.countDown();
            List<String> answers = new ArrayList<>();
            for (Future<String> holder : holders) {
                answers.add(holder.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
            String winner = answers.get(0);
            assertTrue(ids.contains(winner));
            assertTrue(answers.stream().allMatch(winner::equals), "every caller learns the one holder: " + answers);
            long won = 0;
            for (int i = 0; i < ids.size(); i++) {
                won += answers.get(i).equals(ids.get(i)) ? 1 : 0;
            }
            assertEquals(1, won, "exactly one winner");
        } finally {
            pool.shutdownNow();
        }
    }

    String claim(String fp, String id, Duration ttl) {
        return cache().claim(fp, key(PROMPT), id, ttl).await().atMost(WAIT);
    }
}
