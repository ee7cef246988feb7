package io.reelvault.storage.local;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.cluster.FileClusterLock;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.ObjectKey;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The {@code scrub} command on a schedule: every {@code REELVAULT_SCRUB_INTERVAL} (off by default; first run 60 s after
 * start-up) the local root is read whole by a {@link Scrubber}, each damaged object logged at ERROR with its key and
 * both digests and counted in {@code reelvault_integrity_failures_total{area}}, so that an alert on that counter also
 * sees objects nobody downloads. Local backend only, never in an operator command, never twice at once; replicas
 * sharing one root scrub once per turn through the cluster lock {@code scrub} ({@link ClusterLocks}: the file lock
 * {@code {root}/.locks/scrub.lock}).
 */
@Startup
@Singleton
public class ScheduledScrub {
    private static final Logger LOG = Logger.getLogger(ScheduledScrub.class);
    /** The cluster lock's name. */
    static final String LOCK = "scrub";

    private final Path root;
    private final MeterRegistry registry;
    private final boolean active;
    private final ClusterJob job;

    @Inject
    ScheduledScrub(ReelvaultConfig config, CommandMode commandMode, ClusterLocks locks, MeterRegistry registry) {
        this(
                config.storage().local().path(),
                locks,
                registry,
                config.storage().useLocal()
                        && !commandMode.active()
                        && !config.scrub().interval().equalsIgnoreCase("off")
                        && !config.scrub().interval().equalsIgnoreCase("disabled"));
    }

    private ScheduledScrub(Path root, ClusterLocks locks, MeterRegistry registry, boolean active) {
        this(root, locks.job(LOCK, active), registry, active);
    }

    /** A scrub of {@code root} that runs only when {@link #scrub()} is called (tests). */
    public ScheduledScrub(Path root, MeterRegistry registry) {
        this(root, new ClusterJob(FileClusterLock.under(root, LOCK)), registry, true);
    }

    private ScheduledScrub(Path root, ClusterJob job, MeterRegistry registry, boolean active) {
        this.root = root;
        this.job = job;
        this.registry = registry;
        this.active = active;
    }

    @Scheduled(
            identity = "reelvault-scrub",
            every = "${reelvault.scrub.interval:off}",
            delayed = "60s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        job.onSchedule(LOG, "scrub of " + root + " failed; the next one retries", this::scrub);
    }

    /** Scrubs the root now, unless inactive or another scrub holds the lock (then empty). Blocking. */
    public Optional<Scrubber.Summary> scrub() throws IOException {
        if (!active) {
            return Optional.empty();
        }
        return job.run(() -> {
            Scrubber.Summary summary = new Scrubber(root).run(d -> {
                LOG.errorf(
                        "integrity failure: %s does not match the checksum recorded when it was written (recorded %s,"
                                + " read %s); found by the scheduled scrub",
                        d.key(), d.expected(), d.actual());
                StorageMetrics.integrityFailure(registry, new ObjectKey(d.key()));
            });
            LOG.infof(
                    "scrub of %s: %d intact, %d damaged, %d without a recorded sha256, %d bytes read",
                    root, summary.verified(), summary.damaged(), summary.unverifiable(), summary.bytes());
            return summary;
        });
    }

    @PreDestroy
    void close() {
        job.close();
    }
}
