package io.reelvault.cache;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The similar-generation cache: completed generations by parameter fingerprint and prompt, plus single-flight claims.
 * Implementations: {@link InProcessSimilarCache} (one process) and the Redis one (every replica); both rank their
 * candidates with {@link CandidateRanking}.
 */
public interface SimilarCache {
    /** A completed generation and what it answers to; lives until expiresAt (TTL = expiresAt - now). */
    record Entry(String generationId, String fingerprint, String promptKey, float[] embedding, Instant expiresAt) {}

    /** kind EXACT: same fingerprint and promptKey (similarity 1.0); SIMILAR: same fingerprint, best cosine >= threshold. */
    record Hit(String generationId, Kind kind, double similarity) {
        public enum Kind {
            EXACT,
            SIMILAR
        }
    }

    /**
     * Exact first, else the most similar entry under the same fingerprint with cosine >= threshold; empty on a miss.
     * Fails with {@link CacheUnavailableException} when the backing store fails, is slow, or its breaker is open.
     */
    Uni<Optional<Hit>> lookup(String fingerprint, String promptKey, float[] embedding, double threshold);

    /** Stores (or replaces) the generation's entry until its expiry. */
    Uni<Void> put(Entry entry);

    /** Removes every index entry of the generation (idempotent). */
    Uni<Void> remove(String generationId);

    /**
     * Single flight: atomically claims (fingerprint, promptKey) for generationId for ttl; answers the holder's id
     * (== generationId when this call won).
     */
    Uni<String> claim(String fingerprint, String promptKey, String generationId, Duration ttl);

    /** Releases the claim only if generationId holds it. */
    Uni<Void> release(String fingerprint, String promptKey, String generationId);
}
