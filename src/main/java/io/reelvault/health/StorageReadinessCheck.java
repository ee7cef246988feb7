package io.reelvault.health;

import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ReadinessProbe;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the storage backend answers its probe (local: the root is writable) within 2 s. Each verdict is
 * also recorded in {@link ReadinessState} (the {@code reelvault_ready} gauge).
 */
@Readiness
@ApplicationScoped
public class StorageReadinessCheck implements AsyncHealthCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String NAME = "storage";
    private final ObjectStore store;
    private final ReadinessState state;

    public StorageReadinessCheck(ObjectStore store, ReadinessState state) {
        this.store = store;
        this.state = state;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
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
