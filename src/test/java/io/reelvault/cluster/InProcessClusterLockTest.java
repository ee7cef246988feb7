package io.reelvault.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The contract on {@link InProcessClusterLock}: its second holders are the other callers of this process, which
 * {@link ClusterLocks} gives the same instance for the same name.
 */
class InProcessClusterLockTest extends ClusterLockContract {
    private final Map<String, ClusterLock> byName = new ConcurrentHashMap<>();

    @Override
    protected ClusterLock lock(String name) {
        return byName.computeIfAbsent(name, n -> new InProcessClusterLock());
    }

    @Override
    protected ClusterLock contender(String name) {
        return lock(name);
    }

    /** Its scope is its instance: another replica's (another process's) lock of the same name does not exclude it. */
    @Test
    void anotherInstanceIsAnotherReplicasLock() {
        String name = freshName();
        take(lock(name));
        take(new InProcessClusterLock());
    }
}
