package io.reelvault.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LshIndexTest {
    private static final List<String> VOCABULARY =
            List.of(("fox wolf cat dog horse whale dolphin owl eagle dragon robot "
                            + "astronaut knight samurai ninja chef dancer child woman man surfer skater car train boat balloon lighthouse "
                            + "castle cabin city street forest desert ocean beach mountain lake river jungle glacier volcano meadow alley "
                            + "market stage kitchen station running walking flying swimming dancing jumping sleeping floating drifting "
                            + "climbing spinning crashing glowing burning melting red blue green yellow purple white black golden silver "
                            + "orange pink grey snowy rainy foggy misty sunny stormy windy dark bright neon vintage futuristic ancient "
                            + "cozy empty crowded quiet dawn dusk sunset sunrise night noon twilight winter summer autumn spring "
                            + "cinematic photorealistic watercolor anime cartoon claymation pixel oil sketch noir documentary 4k 8k hdr "
                            + "35mm macro aerial drone closeup wide tracking handheld slow motion timelapse lighting shadows reflections "
                            + "smoke fire snow rain mist stars moon clouds waves leaves flowers lanterns bubbles sparks dust")
                    .split(" "));

    private final HashedNgramEmbedder embedder = new HashedNgramEmbedder();
    private final LshIndex index = new LshIndex(embedder.dimensions());

    private float[] vector(String prompt) {
        return embedder.embed(PromptNormalizer.normalize(prompt));
    }

    private static boolean shareABucket(List<String> a, List<String> b) {
        return !Collections.disjoint(a, b);
    }

    @Test
    void oneFixedWidthBucketPerBand() {
        List<String> keys = index.bucketKeys(vector("a red fox running through snowy forest"));
        assertEquals(LshIndex.DEFAULT_BANDS, keys.size());
        for (int band = 0; band < keys.size(); band++) {
            assertTrue(keys.get(band).matches("b" + band + ":[0-9a-f]{5}"), keys.get(band));
        }
        assertEquals("lsh1-d1024-b40-r20-s7265656c7661756c", index.id());
        assertTrue(new LshIndex(16, 2, 3, 1).bucketKeys(new float[16]).get(1).matches("b1:[0-7]"));
    }

    @Test
    void theBucketsAreFixedByTheSeed() {
        float[] v = vector("a red fox running through snowy forest");
        assertEquals(index.bucketKeys(v), new LshIndex(1024).bucketKeys(v));
        assertNotEquals(index.bucketKeys(v), new LshIndex(1024, 40, 20, 1).bucketKeys(v));
        // pinned: a change of the planes orphans every stored bucket
        assertEquals("b0:1059a", new LshIndex(1024).bucketKeys(v).get(0));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new LshIndex(1024, 0, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> new LshIndex(1024, 4, 33, 1));
        assertThrows(IllegalArgumentException.class, () -> new LshIndex(1024, 1000, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> index.bucketKeys(new float[512]));
    }

    @Test
    void theDefaultsFindThresholdMatchesAndRarelyAnythingAtSevenTenths() {
        assertTrue(LshIndex.collisionProbability(0.95, LshIndex.DEFAULT_BANDS, LshIndex.DEFAULT_ROWS_PER_BAND) >= 0.99);
        assertTrue(LshIndex.collisionProbability(0.7, LshIndex.DEFAULT_BANDS, LshIndex.DEFAULT_ROWS_PER_BAND) <= 0.12);
        assertTrue(LshIndex.collisionProbability(0.5, LshIndex.DEFAULT_BANDS, LshIndex.DEFAULT_ROWS_PER_BAND) <= 0.015);
        assertEquals(1.0, LshIndex.collisionProbability(1.0, 3, 5), 1e-12);
    }

    @Test
    void vectorsAtTheThresholdShareABucketAsOftenAsTheFormulaSays() {
        Random random = new Random(42);
        int trials = 1000;
        int shared = 0;
        for (int t = 0; t < trials; t++) {
            float[] a = unitGaussian(random);
            float[] u = unitGaussian(random);
            double along = dot(u, a);
            float[] b = new float[a.length];
            float[] orthogonal = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                orthogonal[i] = (float) (u[i] - along * a[i]);
            }
            double norm = Math.sqrt(dot(orthogonal, orthogonal));
            for (int i = 0; i < a.length; i++) {
                b[i] = (float) (0.95 * a[i] + Math.sqrt(1 - 0.95 * 0.95) * orthogonal[i] / norm);
            }
            if (shareABucket(index.bucketKeys(a), index.bucketKeys(b))) {
                shared++;
            }
        }
        double rate = shared / (double) trials;
        System.out.printf(
                Locale.ROOT,
                "lsh: vectors at cosine 0.95 share a bucket in %.4f of %d trials (formula %.4f)%n",
                rate,
                trials,
                LshIndex.collisionProbability(0.95, LshIndex.DEFAULT_BANDS, LshIndex.DEFAULT_ROWS_PER_BAND));
        assertTrue(rate >= 0.98, "rate " + rate);
    }

    @Test
    void everyMustMatchPairOfTheCorpusSharesABucket() {
        for (Corpus.Pair pair : Corpus.mustMatch()) {
            float[] a = vector(pair.a());
            float[] b = vector(pair.b());
            if (SimilarityThreshold.DEFAULT.accepts(PromptEmbedder.cosine(a, b))) {
                assertTrue(shareABucket(index.bucketKeys(a), index.bucketKeys(b)), pair.toString());
            }
        }
    }

    /** What makes lookups sub-linear: unrelated prompts almost never land in a lookup's buckets. */
    @Test
    void aLookupAmongTenThousandUnrelatedPromptsReadsAlmostNoCandidates() {
        Random random = new Random(7);
        Map<String, List<Integer>> buckets = new HashMap<>();
        List<float[]> stored = new ArrayList<>();
        for (int id = 0; id < 10_000; id++) {
            float[] v = vector(syntheticPrompt(random));
            stored.add(v);
            for (String key : index.bucketKeys(v)) {
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
            }
        }
        int lookups = 1_000;
        long candidates = 0;
        long falseMatches = 0;
        for (int q = 0; q < lookups; q++) {
            float[] query = vector(syntheticPrompt(random));
            Set<Integer> found = new HashSet<>();
            for (String key : index.bucketKeys(query)) {
                found.addAll(buckets.getOrDefault(key, List.of()));
            }
            candidates += found.size();
            falseMatches += found.stream()
                    .filter(id -> SimilarityThreshold.DEFAULT.accepts(PromptEmbedder.cosine(query, stored.get(id))))
                    .count();
        }
        double mean = candidates / (double) lookups;
        System.out.printf(
                Locale.ROOT,
                "lsh: %d lookups among %d stored synthetic prompts: %.3f candidates per lookup "
                        + "(%d of them at or above the threshold)%n",
                lookups,
                stored.size(),
                mean,
                falseMatches);
        assertTrue(mean < 1.0, "mean candidates " + mean);
    }

    private static String syntheticPrompt(Random random) {
        int words = 6 + random.nextInt(7);
        StringBuilder prompt = new StringBuilder("a");
        for (int i = 0; i < words; i++) {
            prompt.append(' ').append(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
        }
        return prompt.toString();
    }

    private static float[] unitGaussian(Random random) {
        float[] v = new float[1024];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        double norm = Math.sqrt(dot(v, v));
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
        return v;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
