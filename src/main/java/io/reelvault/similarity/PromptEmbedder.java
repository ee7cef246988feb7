package io.reelvault.similarity;

/**
 * Turns a normalised prompt into a vector whose cosine with another prompt's vector measures how
 * alike the two prompts are. Implementations are deterministic: the same text gives the same
 * vector on every replica and after every restart, because vectors are stored and compared
 * across processes.
 */
public interface PromptEmbedder {

    /**
     * The vector of a prompt already passed through {@link PromptNormalizer#normalize(String)}.
     *
     * @return a fresh array of {@link #dimensions()} values, L2-normalised, or all zeros when the
     *         prompt holds nothing to compare (such a vector is similar to nothing)
     */
    float[] embed(String normalisedPrompt);

    /** Length of every vector {@link #embed(String)} returns. */
    int dimensions();

    /**
     * Names the embedder, its version and every setting that changes its vectors; stored vectors
     * and index buckets are kept under it, so that vectors of different embedders are never
     * compared.
     */
    String id();

    /**
     * The cosine of the angle between {@code a} and {@code b}, in [-1, 1]; 0 when either is all
     * zeros.
     *
     * @throws IllegalArgumentException if their lengths differ
     */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dimensions");
        }
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        if (normA == 0 || normB == 0) {
            return 0;
        }
        return Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)));
    }
}
