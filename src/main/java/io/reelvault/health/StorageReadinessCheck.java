package io.reelvault.health;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
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
 * Ready when the storage backend answers its probe (local: the root is writable and has at least
 * {@code REELVAULT_STORAGE_LOCAL_MIN_FREE} bytes free) within 2 s; a full disk shows in the check's {@code error}. Each verdict is
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

    /** What the operator reads: a full disk says so (with the free bytes), any other failure stays generic. */
    static String error(Throwable e) {
        if (e instanceof ReelvaultException r && r.code() == ErrorCode.INSUFFICIENT_STORAGE) {
            return r.detail();
        }
        return "storage probe failed";
    }

    private Uni<HealthCheckResponse> probe() {
        ReadinessProbe probe = store.capability(ReadinessProbe.class).orElse(null);
        if (probe == null) {
            state.record(NAME, true);
            return Uni.createFrom().item(HealthCheckResponse.up(NAME));
        }
        return probe.probe()
                .ifNoItem()
                .after(TIMEOUT)
                .fail()
                .map(v -> HealthCheckResponse.named(NAME)
                        .up()
                        .withData("backend", probe.describe())
                        .build())
                .onFailure()
                .recoverWithItem(e -> HealthCheckResponse.named(NAME)
                        .down()
                        .withData("backend", probe.describe())
                        .withData("error", error(e))
                        .build())
                .invoke(response -> state.record(NAME, response.getStatus() == HealthCheckResponse.Status.UP));
    }
}
