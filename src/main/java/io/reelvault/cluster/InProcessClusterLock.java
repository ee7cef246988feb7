package io.reelvault.cluster;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link ClusterLock} that only excludes callers in this process: used on S3 when no Redis is configured
 * (see {@link ClusterLocks}), and by operator commands. Not reentrant: a second {@link #tryLock} while held answers empty, even
 * on the same thread.
 */
public final class InProcessClusterLock implements ClusterLock {
    private final AtomicBoolean held = new AtomicBoolean();

    @Override
    public Optional<Held> tryLock() {
        if (!held.compareAndSet(false, true)) {
            return Optional.empty();
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return Optional.of(() -> {
            if (open.compareAndSet(true, false)) {
                held.set(false);
            }
        });
    }
}
