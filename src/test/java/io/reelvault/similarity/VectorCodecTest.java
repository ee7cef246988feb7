package io.reelvault.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorCodecTest {
    private static final HashedNgramEmbedder EMBEDDER = new HashedNgramEmbedder();

    @Test
    void storedPromptVectorsAreSparseAndCompareExactlyAsTheOriginals() {
        float[] a = EMBEDDER.embed(PromptNormalizer.normalize("a red fox running through a snowy forest at dawn"));
        float[] b = EMBEDDER.embed(PromptNormalizer.normalize("running through a snowy forest at dawn, a red fox"));
        float[] c = EMBEDDER.embed(PromptNormalizer.normalize("a blue whale under the arctic ice"));
        byte[] stored = VectorCodec.encode(b);
        assertEquals('S', stored[0]);
        assertEquals(PromptEmbedder.cosine(a, b), VectorCodec.cosine(a, stored));
        assertEquals(PromptEmbedder.cosine(c, b), VectorCodec.cosine(c, stored));
        assertEquals(PromptEmbedder.cosine(b, b), VectorCodec.cosine(b, stored));
    }

    @Test
    void denseVectorsUseTheDenseFormAndCompareExactly() {
        Random random = new Random(7);
        float[] a = new float[64];
        float[] b = new float[64];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
            b[i] = i % 5 == 0 ? 0 : (float) random.nextGaussian();
        }
        byte[] stored = VectorCodec.encode(b);
        assertEquals('D', stored[0]);
        assertEquals(1 + 4 * 64, stored.length);
        assertEquals(PromptEmbedder.cosine(a, b), VectorCodec.cosine(a, stored));
    }

    @Test
    void zeroVectorsHaveCosineZero() {
        float[] zero = new float[16];
        float[] one = new float[16];
        one[3] = 1;
        assertEquals(0.0, VectorCodec.cosine(one, VectorCodec.encode(zero)));
        assertEquals(0.0, VectorCodec.cosine(zero, VectorCodec.encode(one)));
    }

    @Test
    void bytesThatAreNotAVectorOfTheseDimensionsAreRefused() {
        float[] query = new float[16];
        query[0] = 1;
        float[] wide = new float[32];
        wide[20] = 1;
        assertThrows(
                IllegalArgumentException.class,
                () -> VectorCodec.cosine(query, VectorCodec.encode(wide)),
                "index beyond");
        assertThrows(
                IllegalArgumentException.class,
                () -> VectorCodec.cosine(query, new byte[] {'D', 1, 2, 3}),
                "short dense");
        assertThrows(
                IllegalArgumentException.class, () -> VectorCodec.cosine(query, new byte[] {'S', 1, 2}), "torn sparse");
        assertThrows(IllegalArgumentException.class, () -> VectorCodec.cosine(query, new byte[0]), "empty");
        byte[] unordered = {'S', 2, 0, 0, 0, (byte) 0x80, 0x3f, 1, 0, 0, 0, (byte) 0x80, 0x3f};
        assertThrows(
                IllegalArgumentException.class, () -> VectorCodec.cosine(query, unordered), "indexes out of order");
    }
}
