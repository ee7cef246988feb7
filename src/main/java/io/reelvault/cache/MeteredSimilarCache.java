package io.reelvault.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reelvault.metrics.StorageMetrics;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Optional;

/** Counts and times the lookups of a {@link SimilarCache}; every other call passes through. */
final class MeteredSimilarCache implements SimilarCache {
    private final SimilarCache delegate;
    private final Counter exact;
    private final Counter similar;
    private final Counter miss;
    private final Counter unavailable;
    private final Timer duration;

    MeteredSimilarCache(SimilarCache delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.exact = counter(registry, "exact");
        this.similar = counter(registry, "similar");
        this.miss = counter(registry, "miss");
        this.unavailable = counter(registry, "unavailable");
        this.duration = Timer.builder(StorageMetrics.SIMILAR_CACHE_LOOKUP_DURATION)
                .description("time until a similar-generation cache lookup answered or failed").register(registry);
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder(StorageMetrics.SIMILAR_CACHE_LOOKUPS).tag("result", result)
                .description("similar-generation cache lookups by answer").register(registry);
    }

    SimilarCache delegate() {
        return delegate;
    }

    @Override
    public Uni<Optional<Hit>> lookup(String fingerprint, String promptKey, float[] embedding, double threshold) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return delegate.lookup(fingerprint, promptKey, embedding, threshold)
                    .onItem().invoke(hit -> {
                        duration.record(Duration.ofNanos(System.nanoTime() - start));
                        (hit.isEmpty() ? miss : hit.get().kind() == Hit.Kind.EXACT ? exact : similar).increment();
                    })
                    .onFailure().invoke(failure -> {
                        duration.record(Duration.ofNanos(System.nanoTime() - start));
                        unavailable.increment();
                    });
        });
    }

    @Override
    public Uni<Void> put(Entry entry) {
        return delegate.put(entry);
    }

    @Override
    public Uni<Void> remove(String generationId) {
        return delegate.remove(generationId);
    }

    @Override
    public Uni<String> claim(String fingerprint, String promptKey, String generationId, Duration ttl) {
        return delegate.claim(fingerprint, promptKey, generationId, ttl);
    }

    @Override
    public Uni<Void> release(String fingerprint, String promptKey, String generationId) {
        return delegate.release(fingerprint, promptKey, generationId);
    }
}
