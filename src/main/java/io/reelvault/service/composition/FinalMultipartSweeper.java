package io.reelvault.service.composition;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.service.upload.MultipartRecord;
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Ends the direct multipart uploads of final renders ({@link FinalMultipartService}) that nothing will complete, as
 * the upload sweeper ends users' ({@code UploadSweeper}): a folder {@code compositions/{id}/multipart/{upload_id}/}
 * whose {@code multipart.json} was written more than the upload's 12 hours ({@link MultipartUploadService#LIFETIME})
 * plus the grace ({@code REELVAULT_UPLOADS_ORPHAN_GRACE}) ago has its storage upload aborted (its parts go), then its
 * objects deleted; a folder without {@code multipart.json} (a staged object left by a crash between its publication
 * and the record's removal, or after a refusal) has each object older than the grace deleted. The storage's own
 * sweeps abort the parts as well (the incomplete-write sweep once nothing arrived for its grace, S3's 1-day rule).
 *
 * <p>A sweep lists {@code compositions/} in key order and holds one such folder's listing at a time; it reads only an
 * abandoned upload's {@code multipart.json}. It runs with the upload sweep's settings
 * ({@code reelvault.uploads.sweep-interval}, {@code sweep-enabled}; first run 90 seconds after start-up), once per
 * cluster through the cluster lock {@code final-multipart-sweep}; what it ends is logged.
 */
@Startup
@Singleton
public class FinalMultipartSweeper {
    private static final Logger LOG = Logger.getLogger(FinalMultipartSweeper.class);
    private static final String RECORD = "multipart.json";

    /**
     * What one sweep did.
     *
     * @param skipped true when another sweep held the lock
     * @param ended   abandoned uploads ended (storage upload aborted, folder deleted)
     * @param orphans objects deleted from folders without a record
     */
    public record Summary(boolean skipped, long ended, long orphans) {}

    private final Supplier<ObjectStore> store;
    private final ClusterJob job;
    private final Duration grace;
    private final Clock clock;
    private final ObjectMapper json;

    @Inject
    FinalMultipartSweeper(
            ReelvaultConfig config,
            CommandMode commandMode,
            Instance<ObjectStore> store,
            ClusterLocks locks,
            Clock clock,
            ObjectMapper json) {
        this.store = store::get;
        this.job = locks.job(
                "final-multipart-sweep",
                !commandMode.active() && config.uploads().sweepEnabled());
        this.grace = config.uploads().orphanGrace();
        this.clock = clock;
        this.json = json;
    }

    @Scheduled(
            identity = "reelvault-final-multipart-sweep",
            every = "${reelvault.uploads.sweep-interval}",
            delayed = "90s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        job.onSchedule(LOG, "final multipart sweep failed, the next run retries", () -> {
            Summary summary = sweep();
            if (summary.ended() + summary.orphans() > 0) {
                LOG.infof(
                        "final multipart sweep ended %d abandoned uploads and deleted %d orphan objects",
                        summary.ended(), summary.orphans());
            }
        });
    }

    /** One sweep, now, unless another holds the lock. Blocking: call it from a worker thread. */
    public Summary sweep() {
        return job.run(() -> sweep(store.get(), clock.instant())).orElseGet(() -> new Summary(true, 0, 0));
    }

    private Summary sweep(ObjectStore s, Instant now) {
        long[] counts = {0, 0};
        List<ObjectInfo> folder = new ArrayList<>();
        String current = null;
        for (ObjectInfo info : s.list(StorageLayout.area(Area.COMPOSITIONS), Optional.empty())
                .select()
                .where(i ->
                        StorageLayout.parseCompositionFinalMultipart(i.key()).isPresent())
                .subscribe()
                .asIterable()) {
            String k = info.key().value();
            String parent = k.substring(0, k.lastIndexOf('/') + 1);
            if (!parent.equals(current)) {
                settle(s, folder, now, counts);
                folder.clear();
                current = parent;
            }
            folder.add(info);
        }
        settle(s, folder, now, counts);
        return new Summary(false, counts[0], counts[1]);
    }

    private void settle(ObjectStore s, List<ObjectInfo> folder, Instant now, long[] counts) {
        if (folder.isEmpty()) {
            return;
        }
        Optional<ObjectInfo> record =
                folder.stream().filter(i -> i.key().fileName().equals(RECORD)).findFirst();
        if (record.isPresent()) {
            if (now.isAfter(record.get()
                    .lastModified()
                    .plus(MultipartUploadService.LIFETIME)
                    .plus(grace))) {
                abort(s, record.get().key());
                s.deleteMany(folder.stream().map(ObjectInfo::key).toList())
                        .await()
                        .indefinitely();
                counts[0]++;
            }
            return;
        }
        List<ObjectKey> old = folder.stream()
                .filter(i -> now.isAfter(i.lastModified().plus(grace)))
                .map(ObjectInfo::key)
                .toList();
        if (!old.isEmpty()) {
            s.deleteMany(old).await().indefinitely();
            counts[1] += old.size();
        }
    }

    private void abort(ObjectStore s, ObjectKey recordKey) {
        MultipartRecord.abortRecorded(s, json, recordKey);
    }
}
