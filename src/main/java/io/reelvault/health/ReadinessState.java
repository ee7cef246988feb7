package io.reelvault.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.reelvault.metrics.StorageMetrics;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The readiness verdicts this replica last gave, by check, as the gauge {@value StorageMetrics#READY}: 1 when
 * every check that can fail was UP at its last run, 0 when one was DOWN, NaN before any has run. Each readiness
 * check that can answer DOWN records its verdict here ({@link StorageReadinessCheck}; the cache check is always
 * UP). Made at start-up, so the gauge exists (NaN) before the first check. The checks run when {@code /q/health/ready} is asked, i.e. at the pace of the orchestrator's readiness
 * probe (Kubernetes, ECS, a load balancer), at most once a second ({@link CachedCheck}): the gauge adds no probing of
 * its own (no extra S3 request).
 *
 * <p>Why a gauge when the orchestrator already knows: a replica that is not ready is taken out of its load
 * balancer but stays scrapable, and Prometheus then sees why (this gauge, the storage error counters) on any
 * platform, without kube-state-metrics.
 */
@Startup
@Singleton
public class ReadinessState {
    private final Map<String, Boolean> verdicts = new ConcurrentHashMap<>();

    public ReadinessState(MeterRegistry registry) {
        Gauge.builder(StorageMetrics.READY, this, ReadinessState::value)
                .description(
                        "1 when this replica's last readiness checks all passed, 0 when one failed (NaN: not asked yet)")
                .register(registry);
    }

    /** The check's latest verdict. */
    public void record(String check, boolean up) {
        verdicts.put(check, up);
    }

    double value() {
        if (verdicts.isEmpty()) {
            return Double.NaN;
        }
        return verdicts.containsValue(Boolean.FALSE) ? 0 : 1;
    }
}
