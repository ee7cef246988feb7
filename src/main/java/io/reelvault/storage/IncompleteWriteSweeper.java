package io.reelvault.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Removes what a process that died mid-write left behind ({@link IncompleteWrites}): the local backend's temp files
 * and S3's multipart uploads, once they received nothing for {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE}. A
 * graceful stop aborts its own writes ({@link PendingWrites}, the multipart upload's own abort), but {@code kill -9},
 * an OOM kill or a lost node leave them, and nothing else would ever reach them: they are no objects.
 *
 * <p>It runs 5 seconds after start-up (a process that restarts after a crash clears what it left, once the grace
 * has passed) and then every {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_SWEEP_INTERVAL}, unless
 * {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_SWEEP_ENABLED} is false or an operator command runs; once per cluster
 * through the cluster lock {@code incomplete-write-sweep} ({@link ClusterLocks}). Counted in
 * {@value StorageMetrics#INCOMPLETE_WRITES_REMOVED}. A failed sweep is logged and the next one starts over.
 */
@Startup
@Singleton
public class IncompleteWriteSweeper {
    private static final Logger LOG = Logger.getLogger(IncompleteWriteSweeper.class);

    private final Supplier<ObjectStore> store;
    private final ClusterJob job;
    private final Duration grace;
    private final Clock clock;
    private final Counter removed;

    @Inject
    IncompleteWriteSweeper(
            ReelvaultConfig config,
            CommandMode commandMode,
            @IncludingExpired Instance<ObjectStore> store,
            ClusterLocks locks,
            Clock clock,
            MeterRegistry registry) {
        this(
                store::get,
                locks.job(
                        "incomplete-write-sweep",
                        !commandMode.active() && config.storage().incompleteWriteSweepEnabled()),
                config.storage().incompleteWriteGrace(),
                clock,
                registry);
    }

    /** A sweeper for direct use (tests); it never runs by itself. */
    public IncompleteWriteSweeper(
            Supplier<ObjectStore> store, ClusterLock lock, Duration grace, Clock clock, MeterRegistry registry) {
        this(store, new ClusterJob(lock), grace, clock, registry);
    }

    private IncompleteWriteSweeper(
            Supplier<ObjectStore> store, ClusterJob job, Duration grace, Clock clock, MeterRegistry registry) {
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE must be positive");
        }
        this.store = store;
        this.job = job;
        this.grace = grace;
        this.clock = clock;
        this.removed = Counter.builder(StorageMetrics.INCOMPLETE_WRITES_REMOVED)
                .description("Unfinished writes of dead processes (temp files, multipart uploads) removed")
                .register(registry);
    }

    @Scheduled(
            identity = "reelvault-incomplete-write-sweep",
            every = "${reelvault.storage.incomplete-write-sweep-interval}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        job.onSchedule(
                LOG,
                "incomplete-write sweep failed, the next run retries",
                () -> sweep().filter(n -> n > 0)
                        .ifPresent(n -> LOG.infof(
                                "incomplete-write sweep removed %d unfinished write(s) of processes that died mid-write",
                                n)));
    }

    /**
     * One sweep now, unless another holds the lock (then empty at once). Blocking: call it from a worker thread.
     *
     * @return how many unfinished writes were removed; empty when skipped or the store has no such writes
     */
    public Optional<Integer> sweep() {
        Optional<IncompleteWrites> writes = store.get().capability(IncompleteWrites.class);
        if (writes.isEmpty()) {
            return Optional.empty();
        }
        return job.run(() -> {
            int n = writes.get().removeAbandoned(clock.instant().minus(grace));
            removed.increment(n);
            return n;
        });
    }
}
