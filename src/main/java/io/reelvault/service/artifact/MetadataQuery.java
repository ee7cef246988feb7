package io.reelvault.service.artifact;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.storage.ObjectStore;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Queries over the stored {@code metadata.json} documents of an area (S3 Select is closed to new
 * customers; there is no other index): the area is listed in key order, which is id order, which
 * is creation-date order (ids start with their UTC date), and each {@code {id}/metadata.json} met is
 * read and filtered.
 *
 * <p>Cost and bounds: a {@code since} seeks the listing to that date's first id, so older
 * generations cost nothing; from there each request lists at most {@code REELVAULT_QUERY_MAX_OBJECTS} (100,000)
 * objects (about 100 S3 LIST calls) and reads at most {@code REELVAULT_QUERY_MAX_READS} (1,000) documents
 * (one GET each), then answers with what it found and a cursor to continue. A filter that matches
 * rarely therefore needs several requests; nothing is ever scanned unboundedly in one request.
 */
public final class MetadataQuery {
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("uuuuMMdd").withZone(ZoneOffset.UTC);

    private MetadataQuery() {}

    /**
     * @param area     generations or compositions
     * @param idPrefix the ids' prefix ({@code gen}, {@code comp})
     * @param read     reads one document; empty when it vanished or expired meanwhile
     * @param idOf     the document's id
     * @param since    only ids dated on or after this day are listed (the filter must still check the instant)
     * @param after    the previous page's {@code nextAfter}
     * @param caps     objects listed and documents read per page at most
     */
    public static <T> Uni<MetadataPage<T>> run(
            ObjectStore store,
            ReelvaultConfig.Query caps,
            Area area,
            String idPrefix,
            Function<ObjectKey, Uni<Optional<T>>> read,
            Function<T, String> idOf,
            Predicate<T> filter,
            Optional<Instant> since,
            Optional<String> after,
            int limit) {
        String areaPrefix = StorageLayout.area(area).value();
        Optional<ObjectKey> fromSince = since.map(s -> new ObjectKey(areaPrefix + idPrefix + "_" + DAY.format(s)));
        // "{id}0" sorts after every "{id}/..." key ('/' < '0') and before every later id
        Optional<ObjectKey> fromAfter = after.map(a -> new ObjectKey(areaPrefix + a + "0"));
        Optional<ObjectKey> start = fromSince.isPresent() && fromAfter.isPresent()
                ? Optional.of(fromSince.get().compareTo(fromAfter.get()) > 0 ? fromSince.get() : fromAfter.get())
                : fromAfter.or(() -> fromSince);
        int maxObjects = Math.max(1, caps.maxObjects());
        int maxReads = Math.max(1, caps.maxReads());
        AtomicLong listed = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicReference<String> lastRead = new AtomicReference<>();
        return store.list(StorageLayout.area(area), start)
                .select()
                .first(maxObjects)
                .invoke(o -> listed.incrementAndGet())
                .select()
                .where(o -> isMetadata(o.key()))
                .select()
                .first(maxReads)
                .onItem()
                .transformToUniAndConcatenate(o -> read.apply(o.key()).invoke(found -> {
                    reads.incrementAndGet();
                    lastRead.set(o.key()
                            .value()
                            .substring(areaPrefix.length(), o.key().value().indexOf('/', areaPrefix.length())));
                }))
                .select()
                .where(Optional::isPresent)
                .map(Optional::get)
                .select()
                .where(filter)
                .select()
                .first(limit)
                .collect()
                .asList()
                .map(items -> {
                    boolean bounded = items.size() == limit || listed.get() == maxObjects || reads.get() == maxReads;
                    String next = bounded
                            ? (items.size() == limit ? idOf.apply(items.get(items.size() - 1)) : lastRead.get())
                            : null;
                    return new MetadataPage<>(items, next, new MetadataPage.Examined(listed.get(), reads.get()));
                });
    }

    /** {@code {area}/{id}/metadata.json}, exactly three segments. */
    private static boolean isMetadata(ObjectKey key) {
        String v = key.value();
        int first = v.indexOf('/');
        int second = v.indexOf('/', first + 1);
        return second > 0 && v.indexOf('/', second + 1) < 0 && v.endsWith("/metadata.json");
    }
}
