package io.reelvault.cache;

/** The similar-generation cache: completed generations by parameter fingerprint and prompt, plus single-flight claims. */
public interface SimilarCache {
    /** A completed generation and what it answers to; lives until expiresAt (TTL = expiresAt - now). */
    record Entry(
            String generationId,
            String fingerprint,
            String promptKey,
            float[] embedding,
            java.time.Instant expiresAt) {}
    /** kind EXACT: same fingerprint and promptKey (similarity 1.0); SIMILAR: same fingerprint, best cosine >= threshold. */
    record Hit(String generationId, Kind kind, double similarity) {
        public enum Kind {
            EXACT,
            SIMILAR
        }
    }
    /** Exact first, else the most similar entry under the same fingerprint with cosine >= threshold; empty on a miss.
     *  Fails with CacheUnavailableException (yours, unchecked) when the backing store fails, is slow, or the breaker is open. */
    io.smallrye.mutiny.Uni<java.util.Optional<Hit>> lookup(
            String fingerprint, String promptKey, float[] embedding, double threshold);

    io.smallrye.mutiny.Uni<Void> put(Entry entry);
    /** Removes every index entry of the generation (idempotent). */
    io.smallrye.mutiny.Uni<Void> remove(String generationId);
    /** Single flight: atomically claims (fingerprint, promptKey) for generationId for ttl; answers the holder's id
     *  (== generationId when this call won). */
    io.smallrye.mutiny.Uni<String> claim(
            String fingerprint, String promptKey, String generationId, java.time.Duration ttl);
    /** Releases the claim only if generationId holds it. */
    io.smallrye.mutiny.Uni<Void> release(String fingerprint, String promptKey, String generationId);
}
