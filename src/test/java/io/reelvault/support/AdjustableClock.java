package io.reelvault.support;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The service's clock in @QuarkusTests: the system clock, until a test moves it (retention tests jump
 * days ahead). Tests must {@link #reset()} it in a {@code finally} or {@code @AfterEach}: signed URLs
 * and S3 request signing read this clock too.
 */
@Alternative
@Priority(1)
@Singleton
public class AdjustableClock extends Clock {
    private volatile Instant fixed;

    /** From now on {@link #instant()} answers exactly {@code at}. */
    public void setTo(Instant at) {
        fixed = at;
    }

    /** Back to the system clock. */
    public void reset() {
        fixed = null;
    }

    @Override
    public Instant instant() {
        Instant at = fixed;
        return at != null ? at : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }

    /** How far the clock is from real time now. */
    public Duration skew() {
        return Duration.between(Instant.now(), instant());
    }
}
