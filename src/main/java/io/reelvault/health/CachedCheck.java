package io.reelvault.health;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * A readiness check's answer, reused for {@link #TTL}: a burst of {@code /q/health/ready} calls (several probes, a
 * load balancer, a caller hammering the endpoint) runs the underlying probe (a file written, an S3 request, a Redis
 * PING) at most once per interval. Calls that arrive while a probe is in flight wait for that probe (single flight)
 * rather than starting another. The interval counts from the start of a probe, so an answer is at most about
 * {@code TTL} + the probe's own deadline old: well under any orchestrator's probe period (Kubernetes 5 s here).
 */
final class CachedCheck {
    /** How long one answer is reused. */
    static final Duration TTL = Duration.ofSeconds(1);

    private record Entry(long startedAt, Uni<HealthCheckResponse> answer) {}

    private final Supplier<Uni<HealthCheckResponse>> check;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final AtomicReference<Entry> last = new AtomicReference<>();

    /**
     * @param check     runs the probe; subscribed at most once per interval
     * @param ttl       how long an answer is reused
     * @param nanoClock a monotonic clock in nanoseconds ({@link System#nanoTime()}, or a test's)
     */
    CachedCheck(Supplier<Uni<HealthCheckResponse>> check, Duration ttl, LongSupplier nanoClock) {
        this.check = check;
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    CachedCheck(Supplier<Uni<HealthCheckResponse>> check) {
        this(check, TTL, System::nanoTime);
    }

    /** The last answer if it is fresh (or still coming), else a new probe's. */
    Uni<HealthCheckResponse> call() {
        return Uni.createFrom().deferred(() -> {
            while (true) {
                long now = nanoClock.getAsLong();
                Entry current = last.get();
                if (current != null && now - current.startedAt() < ttlNanos) {
                    return current.answer();
                }
                Entry fresh = new Entry(
                        now,
                        Uni.createFrom()
                                .<HealthCheckResponse>deferred(check::get)
                                .memoize()
                                .indefinitely());
                if (last.compareAndSet(current, fresh)) {
                    return fresh.answer();
                }
            }
        });
    }
}
