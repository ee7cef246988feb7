package io.reelvault.service.upload;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.UrlPurpose;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Deletes what nothing under {@code uploads/} can reach any more, on both backends (uploads never expire, so
 * neither the local lifecycle sweeper nor S3's lifecycle rules would). An upload's folder
 * {@code uploads/{user}/{upload_id}/} is reachable through its {@code metadata.json}; without one:
 * <ul>
 * <li>{@link Reason#ABANDONED}: a direct upload whose {@code pending.json} was written more than the upload URL's
 * 15 minutes plus the grace ({@code REELVAULT_UPLOADS_ORPHAN_GRACE}) ago and that was never completed: its
 * {@code pending.json} and whatever was PUT are deleted.</li>
 * <li>{@link Reason#ORPHAN}: objects with neither {@code metadata.json} nor {@code pending.json}, each deleted once
 * it is older than the grace: a crash between an upload's object and its metadata, or an S3 presigned PUT
 * that arrived after its upload was deleted or refused (S3 cannot make that PUT depend on another key).
 * An upload in flight looks the same for an instant, hence the grace. So is the empty tombstone that replaces a
 * deleted direct upload's original on S3 while its URL may still work ({@code UploadService#delete}): the grace is
 * at least an upload URL's 15 minutes, so the tombstone outlives the URL.</li>
 * <li>{@link Reason#ABANDONED} too: a direct multipart upload whose {@code multipart.json} was written more than its
 * 12 hours ({@link MultipartUploadService#LIFETIME}) plus the grace ago: the storage's multipart upload is aborted (its
 * parts go), then its folder is deleted. (S3's 1-day AbortIncompleteMultipartUpload rule, and the incomplete-write
 * sweep once it received nothing for its grace, abort it in storage too.)</li>
 * <li>{@link Reason#STALE_PENDING}: a {@code pending.json} or {@code multipart.json} beside a {@code metadata.json} (a crash inside
 * {@code complete}, which writes the metadata first): only the {@code pending.json} goes.</li>
 * </ul>
 * A sweep lists {@code uploads/} in key order, so an upload's objects arrive together and only one upload's
 * listing is held at a time; it reads no object but an abandoned multipart upload's {@code multipart.json}. Ages are {@link ObjectInfo#lastModified()} against the injected
 * {@link Clock}, read once per sweep. Deletions are counted in {@value StorageMetrics#UPLOADS_SWEPT} by reason.
 *
 * <p>It runs every {@code reelvault.uploads.sweep-interval} (first run 60 seconds after start-up) unless
 * {@code reelvault.uploads.sweep-enabled} is false or an operator command runs; once per cluster through the
 * cluster lock {@code upload-sweep} ({@link ClusterLocks}: a lock file on the local backend, a Redis lease on S3
 * with Redis, this process only without); never twice at once in one process. A failed sweep is logged and the
 * next one starts over; what it deleted stays deleted.
 */
@Startup
@Singleton
public class UploadSweeper {
    private static final Logger LOG = Logger.getLogger(UploadSweeper.class);
    static final String PENDING = "pending.json";
    static final String METADATA = "metadata.json";
    static final String MULTIPART = "multipart.json";

    /** Why the sweeper deleted an object; the metric's {@code reason} label. */
    public enum Reason {
        ABANDONED("abandoned"),
        ORPHAN("orphan"),
        STALE_PENDING("stale_pending");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What one sweep did.
     *
     * @param skipped true when another sweep held the lock (or sweeping is off in this process)
     * @param deleted objects deleted per reason (every reason present)
     */
    public record Summary(boolean skipped, Map<Reason, Long> deleted) {
        public long total() {
            return deleted.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Supplier<ObjectStore> store;
    private final ClusterJob job;
    private final Duration grace;
    private final Clock clock;
    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);
    private final ObjectMapper json;

    @Inject
    UploadSweeper(
            ReelvaultConfig config,
            CommandMode commandMode,
            Instance<ObjectStore> store,
            ClusterLocks locks,
            Clock clock,
            MeterRegistry registry,
            ObjectMapper json) {
        this(
                store::get,
                locks.job(
                        "upload-sweep",
                        !commandMode.active() && config.uploads().sweepEnabled()),
                config.uploads().orphanGrace(),
                clock,
                registry,
                json);
    }

    /** As the other, reading {@code multipart.json} with a mapper of its own (snake_case, as the service writes). */
    public UploadSweeper(
            Supplier<ObjectStore> store, ClusterJob job, Duration grace, Clock clock, MeterRegistry registry) {
        this(
                store,
                job,
                grace,
                clock,
                registry,
                new ObjectMapper()
                        .findAndRegisterModules()
                        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false));
    }

    /**
     * A sweeper of {@code uploads/} in {@code store}, once per cluster through {@code job}; for direct use (tests)
     * with a {@code new ClusterJob(lock)}, which never runs by itself.
     */
    public UploadSweeper(
            Supplier<ObjectStore> store,
            ClusterJob job,
            Duration grace,
            Clock clock,
            MeterRegistry registry,
            ObjectMapper json) {
        this.json = json;
        if (grace.compareTo(UrlPurpose.USER_UPLOAD.expiry()) < 0) {
            // a tombstone (see UploadService#delete) must outlive every upload URL that could otherwise store again
            throw new IllegalArgumentException(
                    "REELVAULT_UPLOADS_ORPHAN_GRACE must be at least 15m, an upload URL's lifetime");
        }
        this.store = store;
        this.job = job;
        this.grace = grace;
        this.clock = clock;
        for (Reason reason : Reason.values()) {
            counters.put(
                    reason,
                    Counter.builder(StorageMetrics.UPLOADS_SWEPT)
                            .tag("reason", reason.label())
                            .description("Unreachable objects under uploads/ deleted by the upload sweeper")
                            .register(registry));
        }
    }

    @Scheduled(
            identity = "reelvault-upload-sweep",
            every = "${reelvault.uploads.sweep-interval}",
            delayed = "60s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        job.onSchedule(LOG, "upload sweep failed, the next run retries", () -> {
            Summary summary = sweep();
            if (summary.total() > 0) {
                LOG.infof("upload sweep deleted %d unreachable objects %s", summary.total(), summary.deleted());
            }
        });
    }

    /**
     * One sweep of {@code uploads/}, now, unless another holds the lock (then a skipped summary at once).
     * Blocking: call it from a worker thread.
     *
     * @throws RuntimeException when the store or the lock fails; what was deleted until then stays deleted
     */
    public Summary sweep() {
        return job.run(() -> sweep(store.get(), clock.instant())).orElseGet(() -> new Summary(true, Map.of()));
    }

    private Summary sweep(ObjectStore s, Instant now) {
        Map<Reason, Long> deleted = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            deleted.put(reason, 0L);
        }
        List<ObjectInfo> folder = new ArrayList<>();
        String current = null;
        for (ObjectInfo info : s.list(new KeyPrefix(Area.UPLOADS.segment() + "/"), Optional.empty())
                .subscribe()
                .asIterable()) {
            String parent = parent(info);
            if (!parent.equals(current)) {
                settle(s, folder, now, deleted);
                folder.clear();
                current = parent;
            }
            folder.add(info);
        }
        settle(s, folder, now, deleted);
        return new Summary(false, deleted);
    }

    /** Deletes what is unreachable among one upload folder's objects. */
    private void settle(ObjectStore s, List<ObjectInfo> folder, Instant now, Map<Reason, Long> deleted) {
        if (folder.isEmpty()) {
            return;
        }
        Optional<ObjectInfo> pending =
                folder.stream().filter(i -> i.key().fileName().equals(PENDING)).findFirst();
        Optional<ObjectInfo> multipart = folder.stream()
                .filter(i -> i.key().fileName().equals(MULTIPART))
                .findFirst();
        boolean described = folder.stream().anyMatch(i -> i.key().fileName().equals(METADATA));
        if (described) {
            pending.ifPresent(p -> delete(s, List.of(p), Reason.STALE_PENDING, deleted));
            multipart.ifPresent(p -> delete(s, List.of(p), Reason.STALE_PENDING, deleted));
        } else if (multipart.isPresent()) {
            Instant abandonedAt = multipart
                    .get()
                    .lastModified()
                    .plus(MultipartUploadService.LIFETIME)
                    .plus(grace);
            if (now.isAfter(abandonedAt)) {
                abortMultipart(s, multipart.get());
                delete(s, List.copyOf(folder), Reason.ABANDONED, deleted);
            }
        } else if (pending.isPresent()) {
            Instant abandonedAt = pending.get()
                    .lastModified()
                    .plus(UrlPurpose.USER_UPLOAD.expiry())
                    .plus(grace);
            if (now.isAfter(abandonedAt)) {
                delete(s, List.copyOf(folder), Reason.ABANDONED, deleted);
            }
        } else {
            List<ObjectInfo> old = folder.stream()
                    .filter(i -> now.isAfter(i.lastModified().plus(grace)))
                    .toList();
            if (!old.isEmpty()) {
                delete(s, old, Reason.ORPHAN, deleted);
            }
        }
    }

    /** Aborts the storage's multipart upload that {@code multipart.json} names (its parts are then gone). */
    private void abortMultipart(ObjectStore s, ObjectInfo record) {
        MultipartRecord.abortRecorded(s, json, record.key());
    }

    private void delete(ObjectStore s, List<ObjectInfo> objects, Reason reason, Map<Reason, Long> deleted) {
        s.deleteMany(objects.stream().map(ObjectInfo::key).toList()).await().indefinitely();
        counters.get(reason).increment(objects.size());
        deleted.merge(reason, (long) objects.size(), Long::sum);
    }

    /** The key up to its last {@code /}: the upload folder (or whatever else a stray key sits in). */
    private static String parent(ObjectInfo info) {
        String k = info.key().value();
        return k.substring(0, k.lastIndexOf('/') + 1);
    }
}
