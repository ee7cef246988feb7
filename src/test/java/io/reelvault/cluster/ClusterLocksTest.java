package io.reelvault.cluster;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelvault.support.TestConfigs;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which lock {@link ClusterLocks} picks: the file lock on the local backend even with Redis; shared on S3. */
class ClusterLocksTest {
    @TempDir
    Path root;

    static final ClusterLock SHARED = Optional::empty;
    static final SharedClusterLocks CONFIGURED = name -> Optional.of(SHARED);
    static final SharedClusterLocks NOT_CONFIGURED = name -> Optional.empty();

    @Test
    void localUsesTheFileLockEvenWithRedis() {
        ClusterLocks locks =
                new ClusterLocks(TestConfigs.config(true, root, null, null, null), Optional.of(CONFIGURED));
        assertInstanceOf(FileClusterLock.class, locks.named("usage"));
        locks.close();
    }

    @Test
    void s3UsesTheSharedLockWhenConfigured() {
        ClusterLocks locks = new ClusterLocks(TestConfigs.config(false, root, null, "b", "r"), Optional.of(CONFIGURED));
        assertSame(SHARED, locks.named("usage"));
        assertSame(locks.named("usage"), locks.named("usage"), "one instance per name");
    }

    @Test
    void s3WithoutRedisIsInProcess() {
        assertInstanceOf(
                InProcessClusterLock.class,
                new ClusterLocks(TestConfigs.config(false, root, null, "b", "r"), Optional.of(NOT_CONFIGURED))
                        .named("usage"));
        assertInstanceOf(
                InProcessClusterLock.class,
                new ClusterLocks(TestConfigs.config(false, root, null, "b", "r"), Optional.empty()).named("usage"));
    }

    @Test
    void namesAreChecked() {
        ClusterLocks locks = new ClusterLocks(TestConfigs.config(false, root, null, "b", "r"), Optional.empty());
        assertThrows(IllegalArgumentException.class, () -> locks.named("../x"));
    }
}
