package io.reelvault.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelvault.cache.InProcessSimilarCache;
import io.reelvault.cache.MeteredSimilarCache;
import io.reelvault.cache.SimilarCache;
import io.reelvault.common.DaemonThreads;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.redis.CircuitBreaker;
import io.reelvault.redis.RedisConnection;
import io.reelvault.redis.RedisSimilarCache;
import io.reelvault.similarity.LshIndex;
import io.reelvault.similarity.PromptEmbedder;
import io.reelvault.similarity.SimilarityThreshold;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Makes the one {@link SimilarCache}: {@link RedisSimilarCache} (with a circuit breaker) when
 * {@code REELVAULT_REDIS_URL} is set, else {@link InProcessSimilarCache} (purged of expired entries every
 * {@value #PURGE_SECONDS} s). Vectors are those of the one {@link PromptEmbedder} ({@link PromptEmbedderProducer});
 * the {@link LshIndex} (MBs of hyperplanes) is built once, here.
 */
@Singleton
public class SimilarCacheProducer {
    private static final Logger LOG = Logger.getLogger(SimilarCacheProducer.class);
    static final int PURGE_SECONDS = 60;

    private ScheduledExecutorService purger;

    @Produces
    @Singleton
    SimilarCache similarCache(
            ReelvaultConfig config, RedisConnection connection, PromptEmbedder embedder, MeterRegistry registry) {
        ReelvaultConfig.Cache settings = config.cache();
        SimilarityThreshold.check(settings.threshold());
        LshIndex lsh = new LshIndex(embedder.dimensions());
        SimilarCache cache;
        if (connection.calls().isPresent()) {
            CircuitBreaker breaker = new CircuitBreaker(
                    "similar-generation cache", settings.breakerFailures(), settings.breakerCoolDown());
            cache = new RedisSimilarCache(
                    connection.calls().get(), embedder, lsh, settings.maxCandidates(), breaker, Clock.systemUTC());
            Gauge.builder(StorageMetrics.SIMILAR_CACHE_BREAKER_OPEN, breaker, b -> b.isOpen() ? 1 : 0)
                    .description("1 while the similar-generation cache's circuit breaker is open")
                    .register(registry);
            LOG.debugf("similar-generation cache on Redis under %s", ((RedisSimilarCache) cache).base());
        } else {
            InProcessSimilarCache local = new InProcessSimilarCache(
                    embedder, lsh, settings.maxEntries(), settings.maxCandidates(), Clock.systemUTC());
            purger = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("similar-cache-purge"));
            purger.scheduleWithFixedDelay(local::purgeExpired, PURGE_SECONDS, PURGE_SECONDS, TimeUnit.SECONDS);
            cache = local;
        }
        return new MeteredSimilarCache(cache, registry);
    }

    void close(@Disposes SimilarCache cache) {
        if (purger != null) {
            purger.shutdownNow();
        }
    }
}
