package io.reelvault.api;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The uploads each caller has in flight on this replica, at most {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_CALLER}
 * for a user and {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_PIPELINE_CALLER} for a pipeline caller
 * ({@link UploadSlotFilter} applies it). Per replica, like the buffers and threads it protects.
 */
@ApplicationScoped
public class UploadSlots {
    private final int max;
    private final int maxPipeline;
    /** Slots taken per caller; a caller without any has no entry. */
    private final ConcurrentHashMap<UserId, Integer> inFlight = new ConcurrentHashMap<>();

    public UploadSlots(ReelvaultConfig config) {
        this.max = Math.max(1, config.uploads().maxConcurrentPerCaller());
        this.maxPipeline = Math.max(1, config.uploads().maxConcurrentPerPipelineCaller());
    }

    /** The cap of a user, or of a pipeline caller. */
    int max(boolean pipeline) {
        return pipeline ? maxPipeline : max;
    }

    /** Takes one of the caller's slots; false when all are taken. */
    boolean tryTake(UserId user, boolean pipeline) {
        int max = max(pipeline);
        boolean[] taken = {false};
        inFlight.compute(user, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    void giveBack(UserId user) {
        inFlight.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Slots the caller holds now. */
    public int held(UserId user) {
        return inFlight.getOrDefault(user, 0);
    }
}
