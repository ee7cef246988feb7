package io.reelvault.redis;

import io.reelvault.cache.CacheUnavailableException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Keeps a failing store out of the request path. Closed: calls go through; {@code failures} failures in a row
 * open it. Open: every call fails at once with {@link CacheUnavailableException} for {@code coolDown}. Then
 * half-open: one trial call goes through (the others keep failing fast); its success closes the breaker, its
 * failure opens it for another cool-down. Any success resets the count.
 */
public final class CircuitBreaker {
    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class);
    private static final long CLOSED = Long.MIN_VALUE;

    private final String name;
    private final int failures;
    private final long coolDownNanos;
    private final LongSupplier nanoTime;
    private final AtomicInteger consecutive = new AtomicInteger();
    /** {@link #CLOSED}, or the nanoTime at which the open breaker lets a trial call through. */
    private final AtomicLong openUntil = new AtomicLong(CLOSED);

    private final AtomicBoolean trialInFlight = new AtomicBoolean();

    public CircuitBreaker(String name, int failures, Duration coolDown) {
        this(name, failures, coolDown, System::nanoTime);
    }

    public CircuitBreaker(String name, int failures, Duration coolDown, LongSupplier nanoTime) {
        if (failures < 1) {
            throw new IllegalArgumentException("REELVAULT_CACHE_BREAKER_FAILURES must be at least 1");
        }
        if (coolDown.isNegative() || coolDown.isZero()) {
            throw new IllegalArgumentException("REELVAULT_CACHE_BREAKER_COOL_DOWN must be positive");
        }
        this.name = name;
        this.failures = failures;
        this.coolDownNanos = coolDown.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Whether calls are currently refused without trying (open, cool-down not over or a trial running). */
    public boolean isOpen() {
        return openUntil.get() != CLOSED;
    }

    /**
     * Runs {@code call} (subscribed lazily) unless the breaker is open; every failure of the call becomes a
     * {@link CacheUnavailableException} and counts.
     */
    <T> Uni<T> call(Supplier<Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            long until = openUntil.get();
            boolean trial = false;
            if (until != CLOSED) {
                if (nanoTime.getAsLong() - until < 0 || !trialInFlight.compareAndSet(false, true)) {
                    return Uni.createFrom().failure(new CacheUnavailableException(name + " circuit breaker open"));
                }
                trial = true;
            }
            boolean isTrial = trial;
            Uni<T> uni;
            try {
                uni = call.get();
            } catch (RuntimeException e) {
                uni = Uni.createFrom().failure(e);
            }
            return uni.onItem()
                    .invoke(ignored -> succeeded(isTrial))
                    .onFailure()
                    .transform(failure -> failed(failure, isTrial))
                    .onCancellation()
                    .invoke(() -> {
                        if (isTrial) {
                            trialInFlight.set(false);
                        }
                    });
        });
    }

    private void succeeded(boolean trial) {
        consecutive.set(0);
        if (openUntil.getAndSet(CLOSED) != CLOSED) {
            LOG.infof("%s circuit breaker closed: the store answers again", name);
        }
        if (trial) {
            trialInFlight.set(false);
        }
    }

    private Throwable failed(Throwable failure, boolean trial) {
        int count = consecutive.incrementAndGet();
        if (trial || (count >= failures && openUntil.get() == CLOSED)) {
            long until = nanoTime.getAsLong() + coolDownNanos;
            if (openUntil.getAndSet(until == CLOSED ? until + 1 : until) == CLOSED) {
                LOG.warnf(
                        "%s circuit breaker open after %d failures in a row: calls fail fast for %d ms",
                        name, count, coolDownNanos / 1_000_000);
            }
        }
        if (trial) {
            trialInFlight.set(false);
        }
        if (failure instanceof CacheUnavailableException e) {
            return e;
        }
        return new CacheUnavailableException(name + " unavailable: " + failure.getMessage(), failure);
    }
}
