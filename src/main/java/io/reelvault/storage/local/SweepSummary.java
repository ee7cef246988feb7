package io.reelvault.storage.local;

import io.reelvault.model.Area;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one lifecycle sweep did.
 *
 * @param skipped true when it did nothing: another sweep (this process or another replica sharing the
 *                storage root) held the lock, or this process does not use the local backend
 * @param deleted expired objects deleted, per area with a retention (every such area present, 0 when none)
 */
public record SweepSummary(boolean skipped, Map<Area, Long> deleted) {
    public SweepSummary {
        deleted = deleted.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(deleted)); // in area order
    }

    static SweepSummary skippedRun() {
        return new SweepSummary(true, Map.of());
    }

    /** Objects deleted in all areas. */
    public long total() {
        return deleted.values().stream().mapToLong(Long::longValue).sum();
    }
}
