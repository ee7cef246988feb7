package io.reelvault.cluster;

import io.reelvault.config.ReelvaultConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The cluster-wide locks by name, one instance per name in this process; the one place that picks the kind:
 * <ul>
 * <li>Local backend: a {@link FileClusterLock} on {@code {root}/.locks/{name}.lock}, Redis or not. The lock's
 * scope is the data's: replicas sharing one root share its lock file, while machines with roots of their own
 * (each sweeping its own disk) must not exclude each other through a shared Redis.</li>
 * <li>S3 with Redis ({@code REELVAULT_REDIS_URL}): the {@link SharedClusterLocks} lease (Redis, in
 * {@code redis/}), one holder across all replicas.</li>
 * <li>S3 without Redis: an {@link InProcessClusterLock}; every replica then runs its own once-per-cluster work
 * (correct, at the cost of repeating it).</li>
 * </ul>
 */
@Singleton
public class ClusterLocks {
    private static final Logger LOG = Logger.getLogger(ClusterLocks.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    private final Function<String, ClusterLock> factory;
    private final Map<String, ClusterLock> locks = new ConcurrentHashMap<>();

    @Inject
    ClusterLocks(ReelvaultConfig config, Instance<SharedClusterLocks> shared) {
        this(config, shared.isResolvable() ? Optional.of(shared.get()) : Optional.empty());
    }

    ClusterLocks(ReelvaultConfig config, Optional<SharedClusterLocks> shared) {
        if (config.storage().useLocal()) {
            factory = name -> FileClusterLock.under(config.storage().local().path(), name);
        } else {
            factory = name -> shared.flatMap(s -> s.named(name)).orElseGet(() -> {
                LOG.infof(
                        "cluster lock '%s' is in-process: without REELVAULT_REDIS_URL every replica runs its"
                                + " once-per-cluster work itself",
                        name);
                return new InProcessClusterLock();
            });
        }
    }

    /** The lock called {@code name} (lower-case letters, digits and dashes). */
    public ClusterLock named(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lock name: " + name);
        }
        return locks.computeIfAbsent(name, factory);
    }

    /**
     * The once-per-cluster job under the lock called {@code name} (as {@link #named}); the lock is looked up when the
     * job first runs, so that a job that never runs (another backend's, or in an operator command) opens nothing.
     *
     * @param scheduled whether its scheduled turns run ({@link ClusterJob#onSchedule}); direct runs always do
     */
    public ClusterJob job(String name, boolean scheduled) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lock name: " + name);
        }
        return new ClusterJob(() -> named(name), scheduled);
    }

    @PreDestroy
    void close() {
        locks.values().forEach(lock -> {
            if (lock instanceof FileClusterLock file) {
                file.close();
            }
        });
    }
}
