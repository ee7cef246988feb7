package io.reelvault.cache;

import io.reelvault.cache.SimilarCache.Hit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How every {@link SimilarCache} picks a lookup's answer among the entries its LSH buckets hold. First the candidates
 * are ranked by the number of buckets they share with the query (more shared bands, higher cosine; ties by id), and
 * only the best {@code maxCandidates} are compared ({@link #mostShared}; the Redis cache ranks the same way inside its
 * lookup script, so that the members never leave Redis). Then the exact cosine of each compared candidate decides: the
 * answer is the highest one at or above the threshold ({@link #offer}, {@link #best}), so the index can cost a miss,
 * never a wrong hit.
 *
 * <p>One ranking per lookup; not thread-safe.
 */
public final class CandidateRanking {
    private final double threshold;
    private String bestId;
    private double best = -2;

    /** @param threshold the least cosine of an answer */
    public CandidateRanking(double threshold) {
        this.threshold = threshold;
    }

    /**
     * The candidates to compare: by the number of buckets shared with the query, most first, then by id; only those
     * {@code eligible} (e.g. unexpired), at most {@code max}.
     *
     * @param shared candidate id to the number of the query's buckets it is in
     */
    public static List<String> mostShared(Map<String, Integer> shared, Predicate<String> eligible, int max) {
        return shared.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .filter(eligible)
                .limit(max)
                .toList();
    }

    /** One compared candidate and its exact cosine with the query. */
    public void offer(String generationId, double cosine) {
        if (cosine >= threshold && cosine > best) {
            best = cosine;
            bestId = generationId;
        }
    }

    /** The candidate of the highest cosine at or above the threshold, as a {@code SIMILAR} hit; empty if none. */
    public Optional<Hit> best() {
        return bestId == null ? Optional.empty() : Optional.of(new Hit(bestId, Hit.Kind.SIMILAR, best));
    }
}
