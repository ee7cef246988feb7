package io.reelvault.metering;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.Area;
import io.reelvault.storage.ObjectInfo;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Storage usage per {@link Area}: objects and bytes, as the gauges {@value StorageMetrics#USAGE_OBJECTS}
 * and {@value StorageMetrics#USAGE_BYTES} (tag {@code area}, all four registered at start) and
 * {@code GET /api/v1/admin/usage}.
 *
 * <p>Each area's value is {@code base + increments}. The increments are kept current by the
 * {@link MeteredObjectStore} (puts add, deletes subtract) and only ever grow or shrink by what it saw; the
 * base is set by the {@link UsageScanner} when a full pass completes, to the scanned totals minus the
 * increments that had arrived before that area's listing began, so that the increments during and after the
 * listing stay counted on top of what it found. Until this replica completes its first pass the base is 0:
 * the values are only the changes seen since start-up (and can be negative).
 *
 * <p>The values are this replica's: increments count only the calls this process made (see
 * {@link UsageScanner} for what that means with several replicas).
 */
@Singleton
public class UsageMeter {
    private static final Area[] AREAS = Area.values();

    private final AtomicLongArray deltaObjects = new AtomicLongArray(AREAS.length);
    private final AtomicLongArray deltaBytes = new AtomicLongArray(AREAS.length);
    private final AtomicLongArray baseObjects = new AtomicLongArray(AREAS.length);
    private final AtomicLongArray baseBytes = new AtomicLongArray(AREAS.length);
    private volatile Instant scannedAt;

    @Inject
    public UsageMeter(MeterRegistry registry) {
        for (Area area : AREAS) {
            int i = area.ordinal();
            Gauge.builder(StorageMetrics.USAGE_OBJECTS, () -> baseObjects.get(i) + deltaObjects.get(i))
                    .tag("area", area.segment())
                    .description("Objects stored in the area (last usage scan plus the changes since)")
                    .register(registry);
            Gauge.builder(StorageMetrics.USAGE_BYTES, () -> baseBytes.get(i) + deltaBytes.get(i))
                    .tag("area", area.segment())
                    .baseUnit("bytes")
                    .description("Bytes stored in the area (last usage scan plus the changes since)")
                    .register(registry);
        }
    }

    /** Objects and bytes. */
    public record Totals(long objects, long bytes) {
        public static final Totals ZERO = new Totals(0, 0);

        public Totals plus(Totals other) {
            return new Totals(objects + other.objects, bytes + other.bytes);
        }
    }

    /**
     * What the meter shows now.
     *
     * @param areas     every area, in area order
     * @param scannedAt when this replica last completed a usage pass; empty when it never has (then the
     *                  values are only the changes since start-up)
     */
    public record Usage(Map<Area, Totals> areas, Optional<Instant> scannedAt) {
        public Totals total() {
            return areas.values().stream().reduce(Totals.ZERO, Totals::plus);
        }
    }

    public Usage usage() {
        Map<Area, Totals> areas = new EnumMap<>(Area.class);
        for (Area area : AREAS) {
            areas.put(area, current(area));
        }
        return new Usage(areas, Optional.ofNullable(scannedAt));
    }

    public Totals current(Area area) {
        int i = area.ordinal();
        return new Totals(baseObjects.get(i) + deltaObjects.get(i), baseBytes.get(i) + deltaBytes.get(i));
    }

    /** A successful write of {@code size} bytes (a new object; a replaced one is {@link #removed} first when known). */
    void added(ObjectInfo info) {
        change(info.key().area(), 1, info.size());
    }

    /** Objects known to be gone. */
    void removed(Collection<ObjectInfo> gone) {
        for (ObjectInfo info : gone) {
            change(info.key().area(), -1, -info.size());
        }
    }

    /** Package-visible for tests that must put the meter off (a scan corrects it). */
    void change(Area area, long objects, long bytes) {
        deltaObjects.addAndGet(area.ordinal(), objects);
        deltaBytes.addAndGet(area.ordinal(), bytes);
    }

    /** The increments of the area so far; taken when a scan starts listing the area. */
    Totals mark(Area area) {
        int i = area.ordinal();
        return new Totals(deltaObjects.get(i), deltaBytes.get(i));
    }

    /**
     * Publishes a completed pass: each area shows {@code scanned} plus the increments since its {@code mark}.
     * Not atomic across areas (a reader may see one area published before the next): harmless for gauges.
     */
    void publish(Map<Area, Totals> scanned, Map<Area, Totals> marks, Instant at) {
        for (Area area : AREAS) {
            int i = area.ordinal();
            Totals found = scanned.get(area);
            Totals mark = marks.get(area);
            baseObjects.set(i, found.objects() - mark.objects());
            baseBytes.set(i, found.bytes() - mark.bytes());
        }
        scannedAt = at;
    }

    /**
     * Takes another replica's completed pass (see {@link SharedUsage}) when it is newer than what this meter shows:
     * each area shows {@code found} from now on, plus this replica's later changes. A change this replica made after
     * that pass listed its area is left out until the next pass (drift the scans correct).
     *
     * @return whether it was newer, and taken
     */
    boolean adopt(Map<Area, Totals> found, Instant completedAt) {
        Instant current = scannedAt;
        if (current != null && !completedAt.isAfter(current)) {
            return false;
        }
        for (Area area : AREAS) {
            int i = area.ordinal();
            Totals t = found.get(area);
            baseObjects.set(i, t.objects() - deltaObjects.get(i));
            baseBytes.set(i, t.bytes() - deltaBytes.get(i));
        }
        scannedAt = completedAt;
        return true;
    }
}
