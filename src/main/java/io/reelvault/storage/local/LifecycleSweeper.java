package io.reelvault.storage.local;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.cluster.FileClusterLock;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The local backend's lifecycle: deletes objects past their retention ({@link Area#isExpired}), as the S3
 * bucket's lifecycle rules do there (on S3 this bean does nothing). Expired objects are never served even
 * before a sweep reaches them: that is the {@code RetentionGuard}'s job.
 *
 * <p>It runs on the Quarkus scheduler every {@code reelvault.lifecycle.sweep-interval} (first run 30 seconds
 * after start-up), when the local backend is active, {@code reelvault.lifecycle.enabled} is true and the
 * process is not running an operator command; never twice at once in one process. Replicas sharing one
 * storage root sweep once per cluster: a sweep holds the cluster lock {@code lifecycle} ({@link ClusterLocks}: on the
 * local backend an exclusive OS lock on {@code {root}/.locks/lifecycle.lock}, a {@link FileClusterLock}; outside the
 * key space: folders starting with a dot are never keys) and is skipped when another process holds it. The lock is
 * only as good as the shared filesystem's {@code fcntl} locking (local disks and NFSv4 honour it).
 *
 * <p>A sweep lists every area with a retention through the store that still sees expired objects
 * ({@link IncludingExpired}), streaming: the listing is read page by page and expired objects are deleted in
 * batches of {@code reelvault.lifecycle.batch-size} ({@link ObjectStore#deleteMany}), so memory stays constant however many objects there
 * are. "Now" is the injected {@link Clock}, read once per sweep. Deleted objects are counted in
 * {@value StorageMetrics#LIFECYCLE_EXPIRED} by area (registered at start, so each area shows 0); a
 * completed sweep sets {@value StorageMetrics#LIFECYCLE_LAST_SUCCESS}. A failed sweep is logged and the next
 * one retries; what it deleted before failing stays deleted and counted.
 *
 * <p>A sweep deletes nothing while "now" is more than {@code reelvault.lifecycle.max-clock-skew} ahead of the newest
 * object's write time (a clock that jumped would make objects that are not due look expired): it counts
 * {@value StorageMetrics#LIFECYCLE_SWEEPS_REFUSED} and logs one warning until sweeps resume.
 */
@Startup
@Singleton
public class LifecycleSweeper {
    private static final Logger LOG = Logger.getLogger(LifecycleSweeper.class);
    /** The cluster lock's name (local backend: {@code {root}/.locks/lifecycle.lock}). */
    static final String LOCK = "lifecycle";

    private final Supplier<ObjectStore> store;
    private final int batchSize;
    private final Clock clock;
    private final boolean active;
    private final Map<Area, Counter> expired = new EnumMap<>(Area.class);
    private final Duration maxClockSkew;
    private Counter refusedClockSkew;
    /** Whether the last sweep was refused for clock skew: the warning is logged once per episode. */
    private final AtomicBoolean refusing = new AtomicBoolean();

    private final AtomicLong lastSuccessMillis = new AtomicLong();
    private final ClusterJob job;

    @Inject
    LifecycleSweeper(
            ReelvaultConfig config,
            CommandMode commandMode,
            @IncludingExpired Instance<ObjectStore> store,
            ClusterLocks locks,
            Clock clock,
            MeterRegistry registry) {
        this(
                store::get,
                locks.job(
                        LOCK,
                        config.storage().useLocal()
                                && !commandMode.active()
                                && config.lifecycle().enabled()),
                config.lifecycle().batchSize(),
                clock,
                registry,
                config.storage().useLocal() && !commandMode.active(),
                config.lifecycle().maxClockSkew());
    }

    /**
     * A sweeper of the local store rooted at {@code root}, for direct use (tests); it never runs by itself.
     *
     * @param includingExpired the store without the retention guard (called once per sweep)
     * @param batchSize        keys per {@code deleteMany}
     */
    public LifecycleSweeper(
            Supplier<ObjectStore> includingExpired, Path root, int batchSize, Clock clock, MeterRegistry registry) {
        this(includingExpired, root, batchSize, clock, registry, Duration.ZERO);
    }

    /** The same, refusing to sweep when the clock is more than {@code maxClockSkew} ahead of the newest write (0: never). */
    public LifecycleSweeper(
            Supplier<ObjectStore> includingExpired,
            Path root,
            int batchSize,
            Clock clock,
            MeterRegistry registry,
            Duration maxClockSkew) {
        this(
                includingExpired,
                new ClusterJob(FileClusterLock.under(root, LOCK)),
                batchSize,
                clock,
                registry,
                true,
                maxClockSkew);
    }

    private LifecycleSweeper(
            Supplier<ObjectStore> store,
            ClusterJob job,
            int batchSize,
            Clock clock,
            MeterRegistry registry,
            boolean active,
            Duration maxClockSkew) {
        if (maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("REELVAULT_LIFECYCLE_MAX_CLOCK_SKEW must not be negative");
        }
        this.maxClockSkew = maxClockSkew;
        if (batchSize < 1) {
            throw new IllegalArgumentException("REELVAULT_LIFECYCLE_BATCH_SIZE must be at least 1");
        }
        this.store = store;
        this.job = job;
        this.batchSize = batchSize;
        this.clock = clock;
        this.active = active;
        if (active) {
            for (Area area : Area.values()) {
                if (area.retention().isPresent()) {
                    expired.put(
                            area,
                            Counter.builder(StorageMetrics.LIFECYCLE_EXPIRED)
                                    .tag("area", area.segment())
                                    .description("Expired objects deleted by the local lifecycle sweeper")
                                    .register(registry));
                }
            }
            Gauge.builder(StorageMetrics.LIFECYCLE_LAST_SUCCESS, () -> lastSuccessMillis.get() / 1000.0)
                    .baseUnit("seconds")
                    .description("When the local lifecycle sweeper last completed a sweep (0: not yet)")
                    .register(registry);
            refusedClockSkew = Counter.builder(StorageMetrics.LIFECYCLE_SWEEPS_REFUSED)
                    .tag("reason", "clock_skew")
                    .description(
                            "Local lifecycle sweeps that deleted nothing: the clock was too far ahead of the newest write")
                    .register(registry);
        }
    }

    @Scheduled(
            identity = "reelvault-lifecycle-sweep",
            every = "${reelvault.lifecycle.sweep-interval}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        job.onSchedule(LOG, "lifecycle sweep failed, the next run retries", () -> {
            SweepSummary summary = sweep();
            if (summary.skipped()) {
                LOG.debug("lifecycle sweep skipped: another sweep holds the lock");
            } else if (summary.total() > 0) {
                LOG.infof("lifecycle sweep deleted %d expired objects %s", summary.total(), summary.deleted());
            }
        });
    }

    /**
     * Deletes every expired object of the areas with a retention, now, unless another sweep holds the lock
     * (then returns a skipped summary at once). Blocking: call it from a worker thread.
     *
     * @throws RuntimeException when the store or the lock file fails; what was deleted until then stays counted
     */
    public SweepSummary sweep() {
        if (!active) {
            return SweepSummary.skippedRun();
        }
        return job.run(this::sweepHeld).orElseGet(SweepSummary::skippedRun);
    }

    private SweepSummary sweepHeld() {
        Instant now = clock.instant();
        ObjectStore unguarded = store.get();
        if (clockJumped(unguarded, now)) {
            return SweepSummary.skippedRun();
        }
        Map<Area, Long> deleted = new EnumMap<>(Area.class);
        for (Area area : expired.keySet()) {
            deleted.put(area, sweep(unguarded, area, now));
        }
        lastSuccessMillis.set(clock.millis());
        return new SweepSummary(false, deleted);
    }

    private long sweep(ObjectStore unguarded, Area area, Instant now) {
        Counter counter = expired.get(area);
        return unguarded
                .list(new KeyPrefix(area.segment() + "/"), Optional.empty())
                .select()
                .where(info -> area.isExpired(info.lastModified(), now))
                .group()
                .intoLists()
                .of(batchSize)
                .onItem()
                .transformToUniAndConcatenate(batch -> unguarded
                        .deleteMany(batch.stream().map(ObjectInfo::key).toList())
                        .invoke(() -> counter.increment(batch.size()))
                        .replaceWith(batch.size()))
                .collect()
                .with(Collectors.summingLong(Integer::longValue))
                .await()
                .indefinitely();
    }

    /**
     * Whether {@code now} is more than {@link #maxClockSkew} ahead of the newest object's write time (found by one
     * listing of the store, streamed): a clock that jumped forward would make objects that are not due look expired.
     * Counted and, once per episode, logged. An empty store has nothing to compare with, nor anything to lose.
     */
    private boolean clockJumped(ObjectStore unguarded, Instant now) {
        if (maxClockSkew.isZero()) {
            return false;
        }
        Optional<Instant> newest = unguarded
                .list(KeyPrefix.ALL, Optional.empty())
                .map(ObjectInfo::lastModified)
                .collect()
                .with(Collectors.maxBy(Comparator.naturalOrder()))
                .await()
                .indefinitely();
        if (newest.isEmpty() || !now.isAfter(newest.get().plus(maxClockSkew))) {
            if (refusing.compareAndSet(true, false)) {
                LOG.info(
                        "lifecycle sweeps resume: the clock is within REELVAULT_LIFECYCLE_MAX_CLOCK_SKEW of the newest write again");
            }
            return false;
        }
        refusedClockSkew.increment();
        if (refusing.compareAndSet(false, true)) {
            LOG.warnf(
                    "lifecycle sweep refused, nothing deleted: the clock (%s) is %s ahead of the newest object's write"
                            + " time (%s), more than REELVAULT_LIFECYCLE_MAX_CLOCK_SKEW (%s). A clock that jumped would delete objects"
                            + " before their time; check the clock (NTP). Sweeps resume by themselves once a write is newer"
                            + " (counted in reelvault_lifecycle_sweeps_refused_total; logged once)",
                    now, Duration.between(newest.get(), now), newest.get(), maxClockSkew);
        }
        return true;
    }

    @PreDestroy
    void close() {
        job.close();
    }
}
