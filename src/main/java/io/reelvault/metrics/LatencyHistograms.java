package io.reelvault.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Histogram buckets for the latency timers that dashboards and alerts read with {@code histogram_quantile}:
 * Quarkus' {@value StorageMetrics#HTTP_SERVER_REQUESTS}, {@value StorageMetrics#REQUEST_DURATION} and
 * {@value StorageMetrics#SIMILAR_CACHE_LOOKUP_DURATION}. Without it Micrometer exports them as summaries (count,
 * sum, max), from which no quantile can be computed across replicas.
 *
 * <p>Fixed buckets ({@link #BUCKETS}, 14 plus {@code +Inf}) rather than Micrometer's percentile histogram
 * (about 70 buckets per series): every series of these timers costs 15 bucket series, and the HTTP timer has
 * one series per route, method and status. The range covers a metadata read (milliseconds) up to a streamed
 * upload of a few GB (minutes: everything longer lands in {@code +Inf}).
 */
@Singleton
public class LatencyHistograms {
    /** Upper bounds of the buckets, {@code le} in seconds: 5 ms .. 5 min. */
    public static final Duration[] BUCKETS = Stream.of(
                    5L, 10L, 25L, 50L, 100L, 250L, 500L, 1_000L, 2_500L, 5_000L, 10_000L, 30_000L, 60_000L, 300_000L)
            .map(Duration::ofMillis)
            .toArray(Duration[]::new);

    static final Set<String> TIMERS = Set.of(
            StorageMetrics.HTTP_SERVER_REQUESTS,
            StorageMetrics.REQUEST_DURATION,
            StorageMetrics.SIMILAR_CACHE_LOOKUP_DURATION);

    @Produces
    @Singleton
    MeterFilter latencyHistograms() {
        return filter();
    }

    /** The filter itself, for tests that build their own registry. */
    public static MeterFilter filter() {
        double[] nanos = Stream.of(BUCKETS).mapToDouble(Duration::toNanos).toArray();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!TIMERS.contains(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .serviceLevelObjectives(nanos)
                        .build()
                        .merge(config);
            }
        };
    }
}
