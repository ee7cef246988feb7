package io.reelvault.health;

import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ReadinessProbe;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the storage backend answers its probe (local: the root is writable) within 2 s. */
@Readiness
@ApplicationScoped
public class StorageReadinessCheck implements AsyncHealthCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final ObjectStore store;

    public StorageReadinessCheck(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        ReadinessProbe probe = store.capability(ReadinessProbe.class).orElse(null);
        if (probe == null) {
            return Uni.createFrom().item(HealthCheckResponse.up("storage"));
        }
        return probe.probe().ifNoItem().after(TIMEOUT).fail()
                .map(v -> HealthCheckResponse.named("storage").up().withData("backend", probe.describe()).build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("storage").down()
                        .withData("backend", probe.describe()).withData("error", "storage probe failed").build());
    }
}
