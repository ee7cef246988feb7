package io.reelvault.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A {@link ClusterLock} shared by every process using one local storage root: an exclusive OS lock on a file
 * under {@code {root}/.locks/} (outside the key space: folders starting with a dot are never keys). Only as
 * good as the filesystem's {@code fcntl} locking (local disks and NFSv4 honour it). A second holder in this
 * JVM (another instance on the same file, or a second {@link #tryLock} while held) is refused too.
 *
 * <p>One channel stays open for this lock's life: on POSIX systems closing any channel to the file would drop
 * every lock this process holds on it. {@link #close()} it when the owner goes away.
 */
public final class FileClusterLock implements ClusterLock, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileClusterLock.class);

    private final Path file;
    private FileChannel channel; // guarded by this

    public FileClusterLock(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    /** The lock {@code {root}/.locks/{name}.lock}. */
    public static FileClusterLock under(Path root, String name) {
        return new FileClusterLock(root.resolve(".locks").resolve(name + ".lock"));
    }

    @Override
    public synchronized Optional<Held> tryLock() {
        try {
            if (channel == null || !channel.isOpen()) {
                Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return Optional.empty(); // held by this or another channel of this JVM
            }
            if (lock == null) {
                return Optional.empty(); // held by another process
            }
            return Optional.of(() -> {
                try {
                    lock.release();
                } catch (IOException e) {
                    LOG.debugf("releasing %s: %s", file, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the lock file " + file.getFileName(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debugf("closing the lock file %s: %s", file, e);
        }
    }
}
