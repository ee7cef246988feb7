package io.reelvault.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The labelled corpus at the default threshold: no near-miss matches, and the recall on the
 * must-match pairs stays above its floor. Prints the cosine of every pair on the wrong side and
 * the margin between the two groups.
 */
class SimilarityCorpusTest {
    /** The measured recall is printed; this floor catches a regression. */
    private static final double RECALL_FLOOR = 0.9;

    private final PromptEmbedder embedder = new HashedNgramEmbedder();

    private double cosine(Corpus.Pair pair) {
        return PromptEmbedder.cosine(
                embedder.embed(PromptNormalizer.normalize(pair.a())),
                embedder.embed(PromptNormalizer.normalize(pair.b())));
    }

    @Test
    void theCorpusIsLargeEnough() {
        assertTrue(Corpus.mustMatch().size() >= 40, "must-match pairs");
        assertTrue(Corpus.nearMisses().size() >= 40, "near-miss pairs");
        for (String category : List.of("case", "whitespace", "punctuation", "word order", "filler", "unicode")) {
            assertTrue(Corpus.mustMatch().stream().anyMatch(p -> p.category().equals(category)), category);
        }
        for (String category : List.of("subject", "colour", "count", "style", "negation")) {
            assertTrue(Corpus.nearMisses().stream().anyMatch(p -> p.category().equals(category)), category);
        }
    }

    @Test
    void caseWhitespacePunctuationAndLookAlikesAreExactMatches() {
        for (Corpus.Pair pair : Corpus.mustMatch()) {
            if (pair.normalisesEqual()) {
                assertEquals(PromptNormalizer.exactKey(pair.a()), PromptNormalizer.exactKey(pair.b()), pair.toString());
            }
        }
    }

    @Test
    void noNearMissMatchesAtTheDefaultThreshold() {
        List<String> matched = new ArrayList<>();
        double max = -1;
        for (Corpus.Pair pair : Corpus.nearMisses()) {
            double cosine = cosine(pair);
            max = Math.max(max, cosine);
            if (SimilarityThreshold.DEFAULT.accepts(cosine)) {
                matched.add(String.format(Locale.ROOT, "%.4f %s", cosine, pair));
            }
        }
        System.out.printf(
                Locale.ROOT,
                "similarity corpus: highest near-miss cosine %.4f over %d pairs%n",
                max,
                Corpus.nearMisses().size());
        assertEquals(List.of(), matched, "near-misses at or above " + SimilarityThreshold.DEFAULT.value());
    }

    @Test
    void recallOnTheMustMatchPairs() {
        List<Corpus.Pair> pairs = Corpus.mustMatch();
        List<String> missed = new ArrayList<>();
        double min = 2;
        double minMatched = 2;
        for (Corpus.Pair pair : pairs) {
            double cosine = cosine(pair);
            min = Math.min(min, cosine);
            if (SimilarityThreshold.DEFAULT.accepts(cosine)) {
                minMatched = Math.min(minMatched, cosine);
            } else {
                missed.add(String.format(Locale.ROOT, "%.4f %s", cosine, pair));
            }
        }
        double maxMiss =
                Corpus.nearMisses().stream().mapToDouble(this::cosine).max().orElseThrow();
        double recall = (pairs.size() - missed.size()) / (double) pairs.size();
        System.out.printf(
                Locale.ROOT,
                "similarity corpus: recall %d/%d = %.3f at %.2f; lowest must-match cosine %.4f "
                        + "(%.4f among those matched), highest near-miss %.4f%n",
                pairs.size() - missed.size(),
                pairs.size(),
                recall,
                SimilarityThreshold.DEFAULT.value(),
                min,
                minMatched,
                maxMiss);
        missed.stream().sorted(Comparator.reverseOrder()).forEach(m -> System.out.println("  not matched: " + m));
        assertTrue(recall >= RECALL_FLOOR, "recall " + recall + " fell under " + RECALL_FLOOR + ": " + missed);
    }
}
