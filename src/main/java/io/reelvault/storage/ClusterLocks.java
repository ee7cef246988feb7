package io.reelvault.storage;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.storage.local.FileClusterLock;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The cluster-wide locks by name, one instance per name in this process. Local backend: a
 * {@link FileClusterLock} on {@code {root}/.locks/{name}.lock}. S3: an {@link InProcessClusterLock} for now;
 * when Redis is configured (a later issue) this is the one place that picks a Redis lock instead.
 */
@Singleton
public class ClusterLocks {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    private final ReelvaultConfig config;
    private final Map<String, ClusterLock> locks = new ConcurrentHashMap<>();

    @Inject
    ClusterLocks(ReelvaultConfig config) {
        this.config = config;
    }

    /** The lock called {@code name} (lower-case letters, digits and dashes). */
    public ClusterLock named(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a lock name: " + name);
        }
        return locks.computeIfAbsent(name, n -> config.storage().useLocal()
                ? FileClusterLock.under(config.storage().local().path(), n)
                : new InProcessClusterLock());
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
