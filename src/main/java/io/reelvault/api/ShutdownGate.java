package io.reelvault.api;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Refuses new upload bodies once shutdown has begun. On SIGTERM Quarkus first enters its pre-shutdown phase
 * ({@code quarkus.shutdown.delay-enabled=true}, set at build time): readiness reports DOWN for
 * {@code quarkus.shutdown.delay} while requests are still served, then it waits up to
 * {@code quarkus.shutdown.timeout} for requests in flight. From the first instant of that sequence a new upload
 * or artifact body is answered 503 {@code shutting_down} before any of it is read: it could not finish before
 * the process ends, and its client should send it to another replica. Uploads already streaming go on, and
 * every other request (reads, signed URLs, JSON calls) is served as usual.
 */
@ApplicationScoped
public class ShutdownGate {
    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);
    /** Seconds a refused client waits: by then readiness has taken this replica out of the load balancer. */
    static final String RETRY_AFTER_SECONDS = "1";

    private volatile boolean shuttingDown;

    void onPreShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
        LOG.info(
                "shutting down: readiness is DOWN, new uploads are refused (503 shutting_down), uploads in flight go on");
    }

    /** Whether shutdown has begun. */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** @throws ReelvaultException {@code shutting_down} (503, {@code Retry-After}) once shutdown has begun */
    public void admitUpload() {
        if (shuttingDown) {
            throw new ReelvaultException(
                    ErrorCode.SHUTTING_DOWN,
                    "this replica is shutting down and accepts no new uploads; retry, another replica will take it",
                    null,
                    Map.of("Retry-After", RETRY_AFTER_SECONDS));
        }
    }
}
