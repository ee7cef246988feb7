package io.reelvault.health;

import io.reelvault.cache.CacheProbe;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The shared cache in the readiness details, never in the verdict: always UP, with {@code backend}
 * ({@code redis} or {@code in-process}) and, with Redis, whether it answers a PING within its deadline.
 * The cache fails open, so a Redis outage must not take replicas out of service. It asks the {@link CacheProbe} port
 * (answered by the Redis adapter), never Redis itself. The answer is reused for
 * {@link CachedCheck#TTL}, so that a burst of readiness calls makes at most one PING a second.
 */
@Readiness
@ApplicationScoped
public class CacheHealthCheck implements AsyncHealthCheck {
    private final CacheProbe probe;
    private final CachedCheck cached = new CachedCheck(this::probe);

    public CacheHealthCheck(CacheProbe probe) {
        this.probe = probe;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return cached.call();
    }

    private Uni<HealthCheckResponse> probe() {
        return probe.status().map(status -> {
            var response = HealthCheckResponse.named("cache").up();
            return switch (status) {
                case IN_PROCESS -> response.withData("backend", "in-process").build();
                case REDIS_UP ->
                    response.withData("backend", "redis")
                            .withData("redis", "up")
                            .build();
                case REDIS_DOWN ->
                    response.withData("backend", "redis")
                            .withData("redis", "down: requests go on without the cache")
                            .build();
            };
        });
    }
}
