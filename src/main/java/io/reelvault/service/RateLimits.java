package io.reelvault.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.UserId;
import io.reelvault.ratelimit.RateLimiter;
import io.reelvault.ratelimit.RateLimiter.Decision;
import io.reelvault.ratelimit.RateLimiter.Limit;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;

/**
 * The per-caller rate limits ({@code reelvault.rate-limits.*}): which bucket and limit a call uses, and the count
 * of decisions ({@code reelvault_rate_limit_decisions_total{class,result}}). A caller's bucket is
 * {@code {class}:{user|pipeline}:{user id}}; the user id is never logged nor a label.
 */
@Singleton
public class RateLimits {
    private final RateLimiter limiter;
    private final boolean enabled;
    private final Map<RateClass, Limit> users = new EnumMap<>(RateClass.class);
    private final Map<RateClass, Limit> pipelines = new EnumMap<>(RateClass.class);
    private final Map<RateClass, Counter[]> decisions = new EnumMap<>(RateClass.class);

    public RateLimits(RateLimiter limiter, ReelvaultConfig config, MeterRegistry registry) {
        this.limiter = limiter;
        ReelvaultConfig.RateLimits limits = config.rateLimits();
        this.enabled = limits.enabled();
        put(RateClass.UPLOAD, limits.upload());
        put(RateClass.URL, limits.url());
        put(RateClass.LIST, limits.list());
        for (RateClass rateClass : RateClass.values()) {
            decisions.put(rateClass, new Counter[] {
                counter(registry, rateClass, "allowed"),
                counter(registry, rateClass, "limited"),
                counter(registry, rateClass, "error")
            });
        }
    }

    private void put(RateClass rateClass, ReelvaultConfig.RateClassLimits limits) {
        String name = "reelvault.rate-limits." + rateClass.label();
        users.put(rateClass, limit(name + ".user", limits.userCapacity(), limits.userPerMinute()));
        pipelines.put(rateClass, limit(name + ".pipeline", limits.pipelineCapacity(), limits.pipelinePerMinute()));
    }

    private static Limit limit(String name, int capacity, double perMinute) {
        try {
            return Limit.perMinute(capacity, perMinute);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    name + "-capacity must be at least 1 and " + name + "-per-minute positive", e);
        }
    }

    private static Counter counter(MeterRegistry registry, RateClass rateClass, String result) {
        return Counter.builder(StorageMetrics.RATE_LIMIT_DECISIONS)
                .description(
                        "rate-limited calls by class and decision (error: allowed, the shared buckets did not answer)")
                .tag("class", rateClass.label())
                .tag("result", result)
                .register(registry);
    }

    /** Whether any limit applies ({@code reelvault.rate-limits.enabled}). */
    public boolean enabled() {
        return enabled;
    }

    /** The limit of a caller's bucket of this class. */
    public Limit limit(RateClass rateClass, boolean pipeline) {
        return (pipeline ? pipelines : users).get(rateClass);
    }

    /**
     * Takes one call from the caller's bucket of this class. Never fails; allowed when limits are off or the
     * shared buckets cannot answer.
     */
    public Uni<Decision> acquire(RateClass rateClass, UserId user, boolean pipeline) {
        if (!enabled) {
            return Uni.createFrom().item(Decision.allowed(Long.MAX_VALUE));
        }
        String key = rateClass.label() + ":" + (pipeline ? "pipeline" : "user") + ":" + user.value();
        return limiter.acquire(key, limit(rateClass, pipeline)).invoke(decision -> {
            Counter[] counters = decisions.get(rateClass);
            (decision.failedOpen() ? counters[2] : decision.allowed() ? counters[0] : counters[1]).increment();
        });
    }
}
