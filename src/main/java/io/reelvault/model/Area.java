package io.reelvault.model;

import java.time.Duration;
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

    public static Optional<Area> ofSegment(String segment) {
        return Arrays.stream(values()).filter(a -> a.segment.equals(segment)).findFirst();
    }
}
