package io.reelvault.metering;

import io.reelvault.metering.UsageMeter.Totals;
import io.reelvault.model.Area;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Where a replica that completed a usage pass leaves its totals for the others. The scan runs on one replica of the
 * cluster at a time (a cluster lock); without this, the replicas that never win it would show only their own changes.
 * A replica whose run is skipped because another holds the lock adopts the newest published pass instead.
 */
public interface SharedUsage {
    /** Nowhere to share: each replica shows its own scans (a single process, or S3 without Redis, where each scans). */
    SharedUsage NONE = new SharedUsage() {
        @Override
        public void publish(Pass pass) {}

        @Override
        public Optional<Pass> latest() {
            return Optional.empty();
        }
    };

    /** A completed pass: what it found per area, and when it completed. */
    record Pass(Map<Area, Totals> areas, Instant completedAt) {}

    /** Leaves {@code pass} for the other replicas; a failure is the caller's to log (the scan itself succeeded). */
    void publish(Pass pass);

    /** The newest pass any replica published, if any. */
    Optional<Pass> latest();
}
