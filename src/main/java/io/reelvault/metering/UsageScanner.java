package io.reelvault.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metering.UsageMeter.Totals;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Corrects the {@link UsageMeter}: lists every area and sets its values to what is really stored, which
 * removes whatever drift the increments left (see {@link MeteredObjectStore}).
 *
 * <p><b>What it lists.</b> Each area through the store that still sees expired objects ({@link IncludingExpired}):
 * an expired object occupies (and costs) storage until the sweeper or S3's lifecycle rules delete it.
 *
 * <p><b>Bounded requests.</b> A run reads at most {@code reelvault.usage.max-pages-per-run} list pages of
 * {@value #PAGE} keys (S3 ListObjectsV2 returns up to 1000 keys per request; the listing is lazy, so pages are
 * counted as {@code ceil(keys read / 1000)}, at least one per area a run touches, and counted in
 * {@value StorageMetrics#USAGE_SCAN_PAGES}). When a run cannot finish a pass it remembers the area and the last
 * key it read, and the next run continues from there; the meter changes only when a pass completes, so a
 * large store is corrected less often, never with a partial total. A pass never starts in the run that
 * completed the previous one. A failed run keeps the position of its last completed listing and the next
 * run retries from there.
 *
 * <p><b>Increments during a pass.</b> When the pass starts listing an area it marks that area's increments;
 * at completion the area shows the scanned total plus the increments since the mark. What is left wrong: a
 * change to a key the listing had not reached yet when it happened is both listed and counted (a put counts
 * twice, a delete is subtracted from a total that never had it), until the next pass. With the default
 * settings an area's listing takes seconds, so this is a handful of objects at most; when a pass spans
 * several runs, the window is the time between the area's first and last run.
 *
 * <p><b>Once per cluster.</b> A run holds the {@link ClusterLocks cluster lock} {@code usage} (local backend:
 * {@code {root}/.locks/usage.lock}, shared by every process on that root) and is skipped when it is taken;
 * never two runs at once in one process either. On S3 with Redis ({@code REELVAULT_REDIS_URL}) it is a Redis
 * lease, so one replica of the cluster scans per run, and a run is skipped while Redis is unavailable. On S3
 * without Redis the lock is in-process: every replica scans for itself, which is correct but multiplies the
 * request cost by the number of replicas.
 *
 * <p><b>Several replicas.</b> Each replica counts the writes and deletes it made itself, on top of the last
 * completed pass it knows. With Redis, a replica that completes a pass publishes its totals ({@link SharedUsage}), and
 * a replica whose run is skipped because another holds the lock takes the newest published pass, so every replica
 * shows the same totals one scan interval after a pass (plus its own later changes). Without Redis, a replica that
 * never gets the lock (local backend with a shared root) shows only its own changes ({@code scanned_at} absent).
 * Exact cluster-wide numbers between passes would need the increments in shared state too: not built.
 *
 * <p>It runs on the Quarkus scheduler every {@code reelvault.usage.scan-interval} (first run 10 seconds after
 * start-up) when {@code reelvault.usage.enabled} is true and the process is not running an operator command.
 * A completed pass sets {@value StorageMetrics#USAGE_SCAN_LAST_SUCCESS}.
 */
@Startup
@Singleton
public class UsageScanner {
    private static final Logger LOG = Logger.getLogger(UsageScanner.class);
    /** Keys per list page (S3's ListObjectsV2 maximum and default). */
    static final int PAGE = 1000;

    private static final Area[] AREAS = Area.values();

    private final Supplier<ObjectStore> store;
    private final ClusterJob job;
    private final UsageMeter meter;
    private final SharedUsage shared;
    private final int maxPagesPerRun;
    private final Clock clock;
    private final boolean active;
    private final Counter pages;
    private final AtomicLong lastSuccessMillis = new AtomicLong();
    private Pass pass; // guarded by the job (one run at a time); null between passes

    @Inject
    UsageScanner(
            ReelvaultConfig config,
            CommandMode commandMode,
            @IncludingExpired Instance<ObjectStore> store,
            ClusterLocks locks,
            UsageMeter meter,
            SharedUsage shared,
            Clock clock,
            MeterRegistry registry) {
        this(
                store::get,
                locks.job("usage", !commandMode.active() && config.usage().enabled()),
                meter,
                shared,
                config.usage().maxPagesPerRun(),
                clock,
                registry,
                !commandMode.active());
    }

    /**
     * A scanner for direct use (tests); it never runs by itself.
     *
     * @param includingExpired the store without the retention guard (called once per run)
     */
    public UsageScanner(
            Supplier<ObjectStore> includingExpired,
            ClusterLock lock,
            UsageMeter meter,
            int maxPagesPerRun,
            Clock clock,
            MeterRegistry registry) {
        this(includingExpired, lock, meter, SharedUsage.NONE, maxPagesPerRun, clock, registry);
    }

    /** A scanner for direct use (tests) that shares its passes through {@code shared}; it never runs by itself. */
    public UsageScanner(
            Supplier<ObjectStore> includingExpired,
            ClusterLock lock,
            UsageMeter meter,
            SharedUsage shared,
            int maxPagesPerRun,
            Clock clock,
            MeterRegistry registry) {
        this(includingExpired, new ClusterJob(lock), meter, shared, maxPagesPerRun, clock, registry, true);
    }

    private UsageScanner(
            Supplier<ObjectStore> store,
            ClusterJob job,
            UsageMeter meter,
            SharedUsage shared,
            int maxPagesPerRun,
            Clock clock,
            MeterRegistry registry,
            boolean active) {
        if (maxPagesPerRun < 1) {
            throw new IllegalArgumentException("REELVAULT_USAGE_MAX_PAGES_PER_RUN must be at least 1");
        }
        this.store = store;
        this.job = job;
        this.meter = meter;
        this.shared = shared;
        this.maxPagesPerRun = maxPagesPerRun;
        this.clock = clock;
        this.active = active;
        this.pages = Counter.builder(StorageMetrics.USAGE_SCAN_PAGES)
                .description("List pages (up to 1000 keys each) requested by usage scans")
                .register(registry);
        Gauge.builder(StorageMetrics.USAGE_SCAN_LAST_SUCCESS, () -> lastSuccessMillis.get() / 1000.0)
                .baseUnit("seconds")
                .description("When this replica last completed a full usage scan (0: not yet)")
                .register(registry);
    }

    @Scheduled(
            identity = "reelvault-usage-scan",
            every = "${reelvault.usage.scan-interval}",
            delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        job.onSchedule(LOG, "usage scan failed, the next run continues where it stopped", () -> {
            ScanRun run = run();
            if (run.skipped()) {
                LOG.debug("usage scan skipped: another scan holds the lock");
            } else {
                LOG.debugf(
                        "usage scan read %d pages%s", run.pages(), run.passCompleted() ? " and completed a pass" : "");
            }
        });
    }

    /**
     * One run: continues the pass in progress (or starts one) for at most {@code max-pages-per-run} pages,
     * unless another scan holds the lock (then returns a skipped run at once). Blocking: call it from a worker
     * thread.
     *
     * @throws RuntimeException when the store or the lock fails; the next run continues from the last listing
     *                          that completed
     */
    public ScanRun run() {
        if (!active) {
            return ScanRun.skippedRun();
        }
        return job.run(() -> scan(store.get()), this::adoptShared).orElseGet(ScanRun::skippedRun);
    }

    private ScanRun scan(ObjectStore unguarded) {
        if (pass == null) {
            pass = new Pass();
        }
        long used = 0;
        while (pass.area < AREAS.length) {
            if (used >= maxPagesPerRun) {
                return new ScanRun(false, used, false);
            }
            Area area = AREAS[pass.area];
            pass.marks.computeIfAbsent(area, meter::mark);
            long allowed = (maxPagesPerRun - used) * (long) PAGE;
            Tally tally = unguarded
                    .list(new KeyPrefix(area.segment() + "/"), pass.cursor)
                    .select()
                    .first(allowed)
                    .collect()
                    .in(Tally::new, Tally::add)
                    .await()
                    .indefinitely();
            long read = Math.max(1, (tally.objects + PAGE - 1) / PAGE);
            pages.increment(read);
            used += read;
            pass.scanned.merge(area, new Totals(tally.objects, tally.bytes), Totals::plus);
            if (tally.objects < allowed) { // the listing ended: the area is done
                pass.area++;
                pass.cursor = Optional.empty();
            } else { // out of pages inside the area
                pass.cursor = Optional.of(tally.last);
                return new ScanRun(false, used, false);
            }
        }
        Instant completed = clock.instant();
        meter.publish(pass.scanned, pass.marks, completed);
        lastSuccessMillis.set(completed.toEpochMilli());
        Map<Area, Totals> found = new EnumMap<>(Area.class);
        for (Area area : AREAS) {
            found.put(area, meter.current(area));
        }
        try {
            shared.publish(new SharedUsage.Pass(found, completed));
        } catch (RuntimeException e) {
            LOG.debugf("usage pass not shared with the other replicas: %s", e.toString());
        }
        pass = null;
        return new ScanRun(false, used, true);
    }

    /** Another replica holds the scan: shows its newest pass, if newer than this replica's own. */
    private void adoptShared() {
        try {
            shared.latest().ifPresent(p -> {
                if (meter.adopt(p.areas(), p.completedAt())) {
                    lastSuccessMillis.set(p.completedAt().toEpochMilli());
                }
            });
        } catch (RuntimeException e) {
            LOG.debugf("the other replicas' usage pass not read: %s", e.toString());
        }
    }

    /** A pass in progress: the area being listed, the last key read in it, and what earlier listings found. */
    private static final class Pass {
        int area;
        Optional<ObjectKey> cursor = Optional.empty();
        final Map<Area, Totals> scanned = new EnumMap<>(Area.class);
        final Map<Area, Totals> marks = new EnumMap<>(Area.class);
    }

    private static final class Tally {
        long objects;
        long bytes;
        ObjectKey last;

        void add(ObjectInfo info) {
            objects++;
            bytes += info.size();
            last = info.key();
        }
    }
}
