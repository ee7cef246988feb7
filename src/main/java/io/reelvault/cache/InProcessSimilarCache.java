package io.reelvault.cache;

import io.reelvault.similarity.LshIndex;
import io.reelvault.similarity.PromptEmbedder;
import io.reelvault.similarity.SimilarityThreshold;
import io.reelvault.similarity.VectorCodec;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@link SimilarCache} of one process (no Redis configured): the same contract, the same index and the same
 * {@link CandidateRanking} as the Redis one, in memory. Expired entries and claims never answer (checked on read); expired entries
 * are dropped on every write and by {@link #purgeExpired()} (the producer runs it periodically). At most
 * {@code maxEntries} entries are kept: a put beyond that first evicts the entries expiring soonest.
 *
 * <p>Thread-safe; every operation holds one lock for microseconds and completes before its Uni is returned, so
 * it never fails with {@link CacheUnavailableException}.
 */
public final class InProcessSimilarCache implements SimilarCache {
    private record Stored(Entry entry, String exactKey, List<String> buckets) {}

    private record Claim(String holder, Instant expiresAt) {}

    private static final Comparator<Stored> BY_EXPIRY = Comparator.comparing(
                    (Stored s) -> s.entry().expiresAt())
            .thenComparing(s -> s.entry().generationId());

    private final LshIndex lsh;
    private final int dimensions;
    private final int maxEntries;
    private final int maxCandidates;
    private final Clock clock;
    private final Map<String, Stored> entries = new HashMap<>();
    private final Map<String, String> exact = new HashMap<>();
    private final Map<String, Set<String>> buckets = new HashMap<>();
    private final TreeSet<Stored> byExpiry = new TreeSet<>(BY_EXPIRY);
    private final Map<String, Claim> claims = new HashMap<>();

    /**
     * @param embedder      the embedder of the vectors (its dimensions)
     * @param lsh           the bucket index (built once)
     * @param maxEntries    entries kept at most, at least 1
     * @param maxCandidates vectors a lookup compares at most, at least 1
     * @param clock         expiry clock
     */
    public InProcessSimilarCache(
            PromptEmbedder embedder, LshIndex lsh, int maxEntries, int maxCandidates, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("REELVAULT_CACHE_MAX_ENTRIES must be at least 1");
        }
        if (maxCandidates < 1) {
            throw new IllegalArgumentException("REELVAULT_CACHE_MAX_CANDIDATES must be at least 1");
        }
        this.lsh = lsh;
        this.dimensions = embedder.dimensions();
        this.maxEntries = maxEntries;
        this.maxCandidates = maxCandidates;
        this.clock = clock;
    }

    @Override
    public Uni<Optional<Hit>> lookup(String fingerprint, String promptKey, float[] embedding, double threshold) {
        SimilarityThreshold.check(threshold);
        checkVector(embedding);
        List<String> keys = VectorCodec.isZero(embedding) ? List.of() : lsh.bucketKeys(embedding);
        return Uni.createFrom().item(() -> find(fingerprint, promptKey, embedding, threshold, keys));
    }

    private synchronized Optional<Hit> find(
            String fingerprint, String promptKey, float[] embedding, double threshold, List<String> keys) {
        Instant now = clock.instant();
        String id = exact.get(exactKey(fingerprint, promptKey));
        if (id != null && live(entries.get(id), now)) {
            return Optional.of(new Hit(id, Hit.Kind.EXACT, 1.0));
        }
        Map<String, Integer> shared = new HashMap<>();
        for (String key : keys) {
            Set<String> members = buckets.get(bucketKey(fingerprint, key));
            if (members != null) {
                for (String member : members) {
                    shared.merge(member, 1, Integer::sum);
                }
            }
        }
        List<String> candidates =
                CandidateRanking.mostShared(shared, candidate -> live(entries.get(candidate), now), maxCandidates);
        CandidateRanking ranking = new CandidateRanking(threshold);
        for (String candidate : candidates) {
            ranking.offer(
                    candidate,
                    PromptEmbedder.cosine(
                            embedding, entries.get(candidate).entry().embedding()));
        }
        return ranking.best();
    }

    @Override
    public Uni<Void> put(Entry entry) {
        checkVector(entry.embedding());
        List<String> keys = VectorCodec.isZero(entry.embedding()) ? List.of() : lsh.bucketKeys(entry.embedding());
        Entry copy = new Entry(
                entry.generationId(),
                entry.fingerprint(),
                entry.promptKey(),
                entry.embedding().clone(),
                entry.expiresAt());
        return Uni.createFrom().item(() -> {
            store(copy, keys);
            return null;
        });
    }

    private synchronized void store(Entry entry, List<String> keys) {
        Instant now = clock.instant();
        unindex(entry.generationId());
        purgeExpired(now);
        if (!entry.expiresAt().isAfter(now)) {
            return;
        }
        while (entries.size() >= maxEntries) {
            unindex(byExpiry.first().entry().generationId());
        }
        List<String> bucketKeys =
                keys.stream().map(k -> bucketKey(entry.fingerprint(), k)).toList();
        Stored stored = new Stored(entry, exactKey(entry.fingerprint(), entry.promptKey()), bucketKeys);
        entries.put(entry.generationId(), stored);
        byExpiry.add(stored);
        exact.put(stored.exactKey(), entry.generationId());
        for (String key : bucketKeys) {
            buckets.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(entry.generationId());
        }
    }

    @Override
    public Uni<Void> remove(String generationId) {
        return Uni.createFrom().item(() -> {
            synchronized (this) {
                unindex(generationId);
            }
            return null;
        });
    }

    @Override
    public Uni<String> claim(String fingerprint, String promptKey, String generationId, Duration ttl) {
        return Uni.createFrom().item(() -> {
            synchronized (this) {
                Instant now = clock.instant();
                String key = exactKey(fingerprint, promptKey);
                Claim held = claims.get(key);
                if (held != null && held.expiresAt().isAfter(now)) {
                    return held.holder();
                }
                claims.put(key, new Claim(generationId, now.plus(ttl.isNegative() ? Duration.ZERO : ttl)));
                return generationId;
            }
        });
    }

    @Override
    public Uni<Void> release(String fingerprint, String promptKey, String generationId) {
        return Uni.createFrom().item(() -> {
            synchronized (this) {
                String key = exactKey(fingerprint, promptKey);
                Claim held = claims.get(key);
                if (held != null && held.holder().equals(generationId)) {
                    claims.remove(key);
                }
            }
            return null;
        });
    }

    /** Drops expired entries and claims. */
    public synchronized void purgeExpired() {
        purgeExpired(clock.instant());
    }

    /** Entries held now (expired ones not yet purged included). */
    public synchronized int size() {
        return entries.size();
    }

    private void purgeExpired(Instant now) {
        while (!byExpiry.isEmpty() && !byExpiry.first().entry().expiresAt().isAfter(now)) {
            unindex(byExpiry.first().entry().generationId());
        }
        claims.values().removeIf(c -> !c.expiresAt().isAfter(now));
    }

    private void unindex(String generationId) {
        Stored stored = entries.remove(generationId);
        if (stored == null) {
            return;
        }
        byExpiry.remove(stored);
        exact.remove(stored.exactKey(), generationId);
        for (String key : stored.buckets()) {
            Set<String> members = buckets.get(key);
            if (members != null && members.remove(generationId) && members.isEmpty()) {
                buckets.remove(key);
            }
        }
    }

    private static boolean live(Stored stored, Instant now) {
        return stored != null && stored.entry().expiresAt().isAfter(now);
    }

    private static String exactKey(String fingerprint, String promptKey) {
        return fingerprint + "\u0000" + promptKey;
    }

    private static String bucketKey(String fingerprint, String key) {
        return fingerprint + "\u0000" + key;
    }

    private void checkVector(float[] embedding) {
        if (embedding.length != dimensions) {
            throw new IllegalArgumentException(
                    "a vector of " + embedding.length + " dimensions for a cache of " + dimensions);
        }
    }
}
