package io.reelvault.model;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;

/**
 * The four top-level areas of the bucket or storage root, and the retention table: how long an
 * object of each area lives after its creation (S3 lifecycle semantics: creation + N days, rounded
 * up to the next 00:00 UTC). This is the one place retention is defined.
 */
public enum Area {
    /** User brand assets: kept until the user deletes them. */
    UPLOADS("uploads", null),
    /** Generated clips, audio, thumbnails: 30 days. */
    GENERATIONS("generations", 30),
    /** Rendered final videos: 90 days. */
    COMPOSITIONS("compositions", 90),
    /** Intermediate processing files: 7 days. */
    TEMP("temp", 7);

    private final String segment;
    private final Integer retentionDays;

    Area(String segment, Integer retentionDays) {
        this.segment = segment;
        this.retentionDays = retentionDays;
    }

    /** The key's first segment, e.g. {@code uploads}. */
    public String segment() {
        return segment;
    }

    /** Days an object lives after creation; empty when kept until deleted. */
    public Optional<Duration> retention() {
        return Optional.ofNullable(retentionDays).map(Duration::ofDays);
    }

    /**
     * When an object of this area created (or last written) at {@code created} expires: creation plus
     * the retention, rounded up to the next 00:00 UTC, S3's lifecycle rule (an instant already at
     * midnight stays). Empty for areas kept until deleted. The object may be served strictly before
     * this instant and never at or after it.
     */
    public Optional<Instant> expiresAt(Instant created) {
        return retention().map(r -> {
            Instant due = created.plus(r);
            Instant midnight = due.truncatedTo(ChronoUnit.DAYS);
            return midnight.equals(due) ? due : midnight.plus(1, ChronoUnit.DAYS);
        });
    }

    /** Whether an object of this area created at {@code created} is expired at {@code now}. */
    public boolean isExpired(Instant created, Instant now) {
        return expiresAt(created).map(e -> !now.isBefore(e)).orElse(false);
    }

    public static Optional<Area> ofSegment(String segment) {
        return Arrays.stream(values()).filter(a -> a.segment.equals(segment)).findFirst();
    }
}
