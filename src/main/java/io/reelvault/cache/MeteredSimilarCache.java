package io.reelvault.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reelvault.metrics.StorageMetrics;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Optional;

/**
 * Times the lookups of a {@link SimilarCache}; every other call passes through. Lookups are counted by result
 * where the result is final, in {@code service.GenerationReuse} (a hit is only a hit once its generation is
 * checked).
 */
public final class MeteredSimilarCache implements SimilarCache {
    private final SimilarCache delegate;
    private final Timer duration;

    public MeteredSimilarCache(SimilarCache delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.duration = Timer.builder(StorageMetrics.SIMILAR_CACHE_LOOKUP_DURATION)
                .description("time until a similar-generation cache lookup answered or failed")
                .register(registry);
    }

    SimilarCache delegate() {
        return delegate;
    }

    @Override
    public Uni<Optional<Hit>> lookup(String fingerprint, String promptKey, float[] embedding, double threshold) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return delegate.lookup(fingerprint, promptKey, embedding, threshold)
                    .onTermination()
                    .invoke(() -> duration.record(Duration.ofNanos(System.nanoTime() - start)));
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
