package io.reelvault.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reelvault.metering.UsageMeter;
import io.reelvault.model.Area;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Storage usage per area as this replica's meter knows it (see {@link UsageMeter} and the usage scan). */
@ApplicationScoped
public class UsageService {
    /** {@code source} when this replica has completed a usage scan: its totals plus the changes since. */
    public static final String SCAN_AND_INCREMENTS = "scan+increments";
    /** {@code source} before this replica's first completed scan: only the changes since start-up. */
    public static final String INCREMENTS_ONLY = "increments";

    private final UsageMeter usage;

    public UsageService(UsageMeter usage) {
        this.usage = usage;
    }

    /** Objects and bytes in one area, or all. */
    public record AreaUsage(long objects, long bytes) {
        static AreaUsage of(UsageMeter.Totals t) {
            return new AreaUsage(t.objects(), t.bytes());
        }
    }

    /**
     * Storage usage as this replica sees it.
     *
     * @param areas     per area ({@code uploads}, {@code generations}, {@code compositions}, {@code temp}), in that order
     * @param total     the sum of the areas
     * @param scannedAt when this replica last completed a usage scan; absent (null here) when it never has
     * @param source    {@value #SCAN_AND_INCREMENTS}, or {@value #INCREMENTS_ONLY} before the first scan
     */
    public record UsageView(
            Map<String, AreaUsage> areas,
            AreaUsage total,
            @JsonInclude(JsonInclude.Include.NON_NULL) Instant scannedAt,
            String source) {}

    /**
     * Objects and bytes per area, including objects past their retention that are not deleted yet (they
     * still take storage). Cheap: reads the meter, never the store.
     */
    public UsageView usage() {
        UsageMeter.Usage now = usage.usage();
        Map<String, AreaUsage> areas = new LinkedHashMap<>();
        for (Area area : Area.values()) {
            areas.put(area.segment(), AreaUsage.of(now.areas().get(area)));
        }
        return new UsageView(
                areas,
                AreaUsage.of(now.total()),
                now.scannedAt().orElse(null),
                now.scannedAt().isPresent() ? SCAN_AND_INCREMENTS : INCREMENTS_ONLY);
    }
}
