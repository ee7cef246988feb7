package io.reelvault.similarity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The default {@link PromptEmbedder}: feature hashing of words, word pairs and character n-grams,
 * local and deterministic (no model, no network).
 *
 * <p>The prompt is split at spaces into words; a few filler words are dropped ({@value #FILLERS}),
 * so that "please" or "a very" does not move the vector; negations ({@code no}, {@code not},
 * {@code without}, …) and prepositions are kept, since they change what is asked for. Repeated
 * words count once. Three feature families are then hashed, each family's vector L2-normalised
 * before they are added with these weights:
 * <ul>
 * <li>every unordered pair of distinct words, weight {@value #PAIR_WEIGHT}: the main signal. A
 *     bag of single words is blind to word order (wanted) but one changed word among n moves its
 *     cosine only to about 1 - 1/n, so that a negation or a colour in a long prompt would still
 *     pass 0.95; among the n(n-1)/2 pairs one changed word changes n - 1, and the cosine falls to
 *     about 1 - 2/n while staying blind to order. The pairs are built from at most
 *     {@value #MAX_PAIR_WORDS} words, those with the smallest hashes, which bounds the work
 *     (4000-character prompts) and keeps the choice independent of word order;
 * <li>single words, weight {@value #WORD_WEIGHT};
 * <li>character 3- to 5-grams of each word with boundary marks ({@code <fox>}), weight
 *     {@value #CHAR_WEIGHT}: morphology ({@code cat}, {@code cats}) stays a little similar.
 * </ul>
 * Each feature string is hashed with 64-bit FNV-1a over its UTF-8 bytes, then the MurmurHash3
 * finaliser; the hash's low 63 bits pick one of {@link #dimensions()} slots and its top bit the
 * sign, so that collisions cancel on average instead of adding up. The sum is L2-normalised.
 * The hash depends on nothing but the text, so vectors are equal on every JVM.
 *
 * <p>On the test corpus, at the default threshold (0.95), reordered, re-punctuated, re-cased,
 * look-alike and filler-word paraphrases match, and a changed subject, colour, count, style or
 * negation does not; a single changed word stops being detected once a prompt has about 35 words
 * after fillers are dropped.
 */
public final class HashedNgramEmbedder implements PromptEmbedder {
    /** Default vector length. */
    public static final int DEFAULT_DIMENSIONS = 1024;

    static final String FILLERS = "a an the and of please kindly very really just";
    static final double PAIR_WEIGHT = 1.0;
    static final double WORD_WEIGHT = 0.35;
    static final double CHAR_WEIGHT = 0.2;
    static final int MAX_PAIR_WORDS = 48;
    private static final Set<String> FILLER_WORDS = Set.of(FILLERS.split(" "));
    private static final String VERSION = "hng1";

    private final int dimensions;

    /** An embedder of {@link #DEFAULT_DIMENSIONS} dimensions. */
    public HashedNgramEmbedder() {
        this(DEFAULT_DIMENSIONS);
    }

    /**
     * @param dimensions vector length, at least 64; hash collisions add noise of about
     *                   1/sqrt(dimensions) to the cosine of unrelated prompts, so fewer
     *                   dimensions blur the measure and more cost memory per stored entry
     */
    public HashedNgramEmbedder(int dimensions) {
        if (dimensions < 64) {
            throw new IllegalArgumentException("an embedding needs at least 64 dimensions, not " + dimensions);
        }
        this.dimensions = dimensions;
    }

    @Override
    public float[] embed(String normalisedPrompt) {
        List<String> words = contentWords(normalisedPrompt);
        float[] vector = new float[dimensions];
        add(vector, pairs(words), PAIR_WEIGHT);
        add(vector, words.stream().map(w -> "w:" + w).toList(), WORD_WEIGHT);
        add(vector, charGrams(words), CHAR_WEIGHT);
        scale(vector, 1 / norm(vector));
        return vector;
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    /** {@code hng1-d} and the dimensions; the version changes with any change of features or weights. */
    @Override
    public String id() {
        return VERSION + "-d" + dimensions;
    }

    private static List<String> contentWords(String prompt) {
        Set<String> words = new LinkedHashSet<>();
        for (String word : prompt.split(" ")) {
            if (!word.isEmpty() && !FILLER_WORDS.contains(word)) {
                words.add(word);
            }
        }
        return List.copyOf(words);
    }

    private static List<String> pairs(List<String> words) {
        List<String> chosen = words.stream()
                .sorted(Comparator.comparingLong((String w) -> hash(w)).thenComparing(Comparator.naturalOrder()))
                .limit(MAX_PAIR_WORDS)
                .sorted()
                .toList();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            for (int j = i + 1; j < chosen.size(); j++) {
                pairs.add("p:" + chosen.get(i) + " " + chosen.get(j));
            }
        }
        return pairs;
    }

    private static List<String> charGrams(List<String> words) {
        List<String> grams = new ArrayList<>();
        for (String word : words) {
            int[] cps = ("<" + word + ">").codePoints().toArray();
            for (int n = 3; n <= 5; n++) {
                for (int start = 0; start + n <= cps.length; start++) {
                    grams.add("c:" + new String(cps, start, n));
                }
            }
        }
        return grams;
    }

    private void add(float[] vector, List<String> features, double weight) {
        if (features.isEmpty()) {
            return;
        }
        float[] family = new float[dimensions];
        for (String feature : features) {
            long h = hash(feature);
            family[(int) ((h & Long.MAX_VALUE) % dimensions)] += h < 0 ? -1 : 1;
        }
        double norm = norm(family);
        if (norm == 0) {
            return;
        }
        for (int i = 0; i < dimensions; i++) {
            vector[i] += (float) (weight * family[i] / norm);
        }
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    private static void scale(float[] v, double factor) {
        if (Double.isFinite(factor)) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * factor);
            }
        }
    }

    /** 64-bit FNV-1a over UTF-8, then MurmurHash3's fmix64 so that every bit depends on every byte. */
    private static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93c0a3e20a5L;
        h ^= h >>> 33;
        return h;
    }
}
