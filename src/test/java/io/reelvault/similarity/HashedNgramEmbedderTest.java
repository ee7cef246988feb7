package io.reelvault.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HashedNgramEmbedderTest {
    private final HashedNgramEmbedder embedder = new HashedNgramEmbedder();

    private double cosine(String a, String b) {
        return PromptEmbedder.cosine(
                embedder.embed(PromptNormalizer.normalize(a)), embedder.embed(PromptNormalizer.normalize(b)));
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    @Test
    void vectorsAreUnitLengthAndOfTheConfiguredSize() {
        assertEquals(1024, embedder.dimensions());
        assertEquals(1024, embedder.embed("a red fox").length);
        assertEquals(1.0, norm(embedder.embed("a red fox running through snowy forest at dawn")), 1e-5);
        assertEquals(2048, new HashedNgramEmbedder(2048).embed("fox").length);
        assertEquals("hng1-d1024", embedder.id());
        assertEquals("hng1-d2048", new HashedNgramEmbedder(2048).id());
        assertThrows(IllegalArgumentException.class, () -> new HashedNgramEmbedder(8));
    }

    @Test
    void theVectorsAreFixedByTheTextAlone() {
        // the three word pairs of "red fox running" land here on every JVM; a change means stored vectors no longer
        // compare
        float[] v = embedder.embed("red fox running");
        assertEquals(-0.53548, v[194], 1e-5);
        assertEquals(0.53548, v[385], 1e-5);
        assertEquals(-0.53548, v[1023], 1e-5);
        assertEquals(0.18742, v[440], 1e-5);
        assertArrayEquals(v, new HashedNgramEmbedder().embed("red fox running"));
    }

    @Test
    void nothingToCompareIsTheZeroVectorAndSimilarToNothing() {
        float[] empty = embedder.embed("");
        assertEquals(0.0, norm(empty));
        assertEquals(0.0, norm(embedder.embed("please the very")));
        assertEquals(0.0, PromptEmbedder.cosine(empty, empty));
    }

    @Test
    void wordOrderRepetitionAndFillersDoNotMoveTheVector() {
        assertEquals(1.0, cosine("a red fox in the snow at dawn", "at dawn in the snow a red fox"), 1e-6);
        assertEquals(1.0, cosine("a red fox in the snow", "please, a very red fox in the snow"), 1e-6);
        assertEquals(1.0, cosine("red fox in snow", "red fox, red fox in snow"), 1e-6);
    }

    @Test
    void negationsAreWordsNotFillers() {
        assertTrue(cosine("a dog on the beach", "no dog on the beach") < 0.85);
        assertTrue(cosine("a street with people", "a street without people") < 0.85);
        assertTrue(cosine("a woman smiling", "a woman not smiling") < 0.85);
    }

    @Test
    void oneChangedWordInAThirtyWordPromptStaysUnderTheDefaultThreshold() {
        String words = IntStream.range(0, 29).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
        double cosine = cosine(words + " red", words + " blue");
        assertTrue(cosine < SimilarityThreshold.DEFAULT.value(), "cosine " + cosine);
    }

    @Test
    void cosineChecksItsArguments() {
        assertEquals(1.0, PromptEmbedder.cosine(new float[] {1, 2}, new float[] {2, 4}), 1e-9);
        assertEquals(-1.0, PromptEmbedder.cosine(new float[] {1, 0}, new float[] {-3, 0}), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> PromptEmbedder.cosine(new float[2], new float[3]));
    }

    @Test
    void theThresholdIsACosineInTheUnitInterval() {
        assertTrue(SimilarityThreshold.DEFAULT.accepts(0.95));
        assertFalse(SimilarityThreshold.DEFAULT.accepts(0.9499));
        assertThrows(IllegalArgumentException.class, () -> new SimilarityThreshold(0));
        assertThrows(IllegalArgumentException.class, () -> new SimilarityThreshold(1.01));
        assertThrows(IllegalArgumentException.class, () -> new SimilarityThreshold(Double.NaN));
    }
}
