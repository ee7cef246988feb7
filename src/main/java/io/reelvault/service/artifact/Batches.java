package io.reelvault.service.artifact;

import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.ObjectStore;
import io.smallrye.mutiny.Uni;
import java.util.Optional;

/** Deleting everything under a prefix in bounded batches. */
public final class Batches {
    /** S3 DeleteObjects takes at most 1000 keys per call. */
    static final int DELETE_BATCH = 1000;

    private Batches() {}

    /**
     * Deletes every object under {@code prefix}: lists a batch, deletes it, lists again from the start,
     * until nothing is left. Memory stays at one batch, and no listing is read while its own objects are
     * deleted. The keys go to {@link ObjectStore#deleteMany}; the metering decorator saw the listing, so the usage
     * gauges drop by the listed sizes.
     */
    public static Uni<Void> deleteAll(ObjectStore store, KeyPrefix prefix) {
        return store.list(prefix, Optional.empty())
                .select()
                .first(DELETE_BATCH)
                .collect()
                .asList()
                .chain(listed -> listed.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : store.deleteMany(listed.stream().map(i -> i.key()).toList())
                                .chain(() -> listed.size() < DELETE_BATCH
                                        ? Uni.createFrom().voidItem()
                                        : deleteAll(store, prefix)));
    }
}
