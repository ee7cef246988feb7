package io.reelvault.health;

import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ReadinessProbe;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the storage backend answers its probe (local: the root is writable) within 2 s. Each verdict is
 * also recorded in {@link ReadinessState} (the {@code reelvault_ready} gauge). A verdict is reused for
 * {@link CachedCheck#TTL} ({@link CachedCheck}): however often readiness is asked, the probe (a file written, an S3
 * request) runs at most once a second.
 */
@Readiness
@ApplicationScoped
public class StorageReadinessCheck implements AsyncHealthCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String NAME = "storage";
    private final ObjectStore store;
    private final ReadinessState state;
    private final CachedCheck cached;

    @Inject
    public StorageReadinessCheck(ObjectStore store, ReadinessState state) {
        this(store, state, CachedCheck.TTL, System::nanoTime);
    }

    StorageReadinessCheck(ObjectStore store, ReadinessState state, Duration ttl, LongSupplier nanoClock) {
        this.store = store;
        this.state = state;
        this.cached = new CachedCheck(this::probe, ttl, nanoClock);
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return cached.call();
    }

    private Uni<HealthCheckResponse> probe() {
        ReadinessProbe probe = store.capability(ReadinessProbe.class).orElse(null);
        if (probe == null) {
            state.record(NAME, true);
            return Uni.createFrom().item(HealthCheckResponse.up(NAME));
        }
        return probe.probe().ifNoItem().after(TIMEOUT).fail()
                .map(v -> HealthCheckResponse.named(NAME).up().withData("backend", probe.describe()).build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(NAME).down()
                        .withData("backend", probe.describe()).withData("error", "storage probe failed").build())
                .invoke(response -> state.record(NAME, response.getStatus() == HealthCheckResponse.Status.UP));
    }
}
