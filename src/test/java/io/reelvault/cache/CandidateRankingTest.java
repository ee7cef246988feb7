package io.reelvault.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelvault.cache.SimilarCache.Hit;
import io.reelvault.similarity.SimilarityThreshold;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ranking both caches share: the order of the Redis lookup script, and the best cosine at the threshold. */
class CandidateRankingTest {
    @Test
    void candidatesSharingMoreBucketsComeFirstThenById() {
        Map<String, Integer> shared = Map.of("c", 3, "a", 1, "b", 3, "d", 2, "e", 5);
        assertEquals(List.of("e", "b", "c", "d", "a"), CandidateRanking.mostShared(shared, id -> true, 10));
        assertEquals(List.of("e", "b"), CandidateRanking.mostShared(shared, id -> true, 2));
        assertEquals(
                List.of("e", "c", "d"),
                CandidateRanking.mostShared(shared, id -> !id.equals("b"), 3),
                "an ineligible candidate leaves its place to the next");
    }

    @Test
    void theHighestCosineAtOrAboveTheThresholdWins() {
        CandidateRanking ranking = new CandidateRanking(0.95);
        ranking.offer("below", 0.9499);
        assertEquals(Optional.empty(), ranking.best());
        ranking.offer("at", 0.95);
        ranking.offer("higher", 0.97);
        ranking.offer("equal-later", 0.97);
        ranking.offer("lower", 0.96);
        assertEquals(Optional.of(new Hit("higher", Hit.Kind.SIMILAR, 0.97)), ranking.best());
    }

    @Test
    void aThresholdOutsideZeroToOneIsRefused() {
        assertEquals(0.95, SimilarityThreshold.check(0.95));
        assertEquals(1.0, SimilarityThreshold.check(1.0));
        assertThrows(IllegalArgumentException.class, () -> SimilarityThreshold.check(0));
        assertThrows(IllegalArgumentException.class, () -> SimilarityThreshold.check(1.01));
        assertThrows(IllegalArgumentException.class, () -> SimilarityThreshold.check(Double.NaN));
    }
}
