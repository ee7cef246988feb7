package io.reelvault.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import io.reelvault.config.CommandMode;
import io.reelvault.config.PublicBaseUrl;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metering.MeteredObjectStore;
import io.reelvault.metering.UsageMeter;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.RetentionGuard;
import io.reelvault.storage.local.LocalBackend;
import io.reelvault.storage.s3.S3Backend;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The one place the backend is chosen. Opened at start-up, so that a missing or wrong setting
 * stops start-up with a message naming the environment variable, instead of failing the first
 * request; except when the process runs an operator command ({@link CommandMode}), which checks its own
 * settings and must not create a local storage root or need the service's settings. The other backend's
 * clients are never built. Two beans: the plain {@link ObjectStore} (backend, metered, then
 * {@link RetentionGuard}) and the same metered backend qualified {@link IncludingExpired}.
 */
@ApplicationScoped
public class ObjectStoreProducer {
    private static final Logger LOG = Logger.getLogger(ObjectStoreProducer.class);
    private volatile boolean opened;

    /** The store everyone injects: metered, and never serving an object past its retention. */
    @Produces
    @Singleton
    ObjectStore objectStore(@IncludingExpired ObjectStore includingExpired, Clock clock) {
        return new RetentionGuard(includingExpired, clock);
    }

    /** The same metered backend without the retention guard, for the sweeper and scans that must see expired objects. */
    @Produces
    @Singleton
    @IncludingExpired
    ObjectStore includingExpired(
            ReelvaultConfig config,
            MeterRegistry registry,
            UsageMeter usage,
            Clock clock,
            S3Backend s3,
            Instance<HttpServer> server) {
        IntSupplier listeningPort = () -> server.isResolvable() ? server.get().getPort() : -1;
        return new MeteredObjectStore(backend(config, clock, s3, listeningPort), registry, usage);
    }

    void openAtStart(@Observes StartupEvent event, CommandMode commandMode, Instance<ObjectStore> store) {
        if (!commandMode.active()) {
            store.get(); // a @Singleton has no client proxy: this builds it now
            opened = true;
        }
    }

    /**
     * Runs after the graceful-shutdown wait ({@code quarkus.shutdown.timeout}) and after the HTTP server closed its
     * connections: a write still open now was cut off by that deadline. Its failure usually aborts it on a worker
     * thread already; this aborts whatever that has not reached yet, synchronously, so that no object and no temp
     * file is left whatever happens next (the worker pool and then the JVM stop right after).
     */
    void abortWritesAtStop(@Observes ShutdownEvent event, Instance<ObjectStore> store) {
        if (!opened) {
            return; // an operator command, or a start that failed: no store was opened
        }
        store.get().capability(PendingWrites.class).ifPresent(writes -> {
            int aborted = writes.abortAll();
            if (aborted > 0) {
                LOG.warnf(
                        "shutdown: %d upload(s) still streaming after the grace period were aborted; nothing of them is stored",
                        aborted);
            }
        });
    }

    static ObjectStore backend(ReelvaultConfig config, Clock clock, S3Backend s3) {
        return backend(config, clock, s3, () -> -1);
    }

    /** @param listeningPort the HTTP port once the server listens: a public base URL with port 0 takes it */
    static ObjectStore backend(ReelvaultConfig config, Clock clock, S3Backend s3, IntSupplier listeningPort) {
        if (config.storage().useLocal()) {
            return LocalBackend.open(
                    config.storage().local(),
                    PublicBaseUrl.of(config.publicBaseUrl(), listeningPort),
                    Infrastructure.getDefaultWorkerPool(),
                    clock);
        }
        require(config.storage().s3().bucket().isPresent(), "S3_BUCKET");
        require(config.storage().s3().region().isPresent(), "AWS_REGION");
        return s3.open(config.storage().s3(), clock);
    }

    private static void require(boolean present, String variable) {
        if (!present) {
            throw new IllegalStateException(variable + " must be set when USE_LOCAL_STORAGE=false");
        }
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
