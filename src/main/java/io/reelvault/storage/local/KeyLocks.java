package io.reelvault.storage.local;

import io.reelvault.model.ObjectKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive locks by key, shared by every process using one storage root: the conditional writes of
 * {@link LocalObjectStore#putIf} ({@link LocalWrites}) check the current object and rename the new one into place while holding the
 * key's lock. Striped: a key hashes (String.hashCode, the same in every JVM) to one of {@value #STRIPES} lock files
 * {@code {root}/.locks/keys/NN.lock} (outside the key space), locked with an OS lock ({@code fcntl}: local disks and
 * NFSv4 honour it). OS locks belong to a process, not a thread, so each stripe is also a monitor of this JVM, and its
 * channel is opened once per JVM and kept open (closing any channel to a file would drop the process's locks on it).
 * A lock is held only for the check and the rename of one small write: blocking, on a worker thread.
 */
final class KeyLocks {
    static final int STRIPES = 16;
    private static final ConcurrentHashMap<Path, Stripe> STRIPES_OF_THIS_JVM = new ConcurrentHashMap<>();

    private final Path dir;

    KeyLocks(Path root) {
        this.dir = root.toAbsolutePath().normalize().resolve(".locks").resolve("keys");
    }

    /** Runs {@code action} while holding {@code key}'s lock, against every thread and process on this root. */
    <T> T withLock(ObjectKey key, LocalIo.IoSupplier<T> action) throws IOException {
        Path file =
                dir.resolve(String.format("%02d.lock", Math.floorMod(key.value().hashCode(), STRIPES)));
        Stripe stripe = STRIPES_OF_THIS_JVM.computeIfAbsent(file, Stripe::new);
        synchronized (stripe) {
            FileLock lock = stripe.channel().lock();
            try {
                return action.get();
            } finally {
                lock.release();
            }
        }
    }

    /** One lock file, its channel opened on first use; guarded by its own monitor. */
    private static final class Stripe {
        private final Path file;
        private FileChannel channel;

        Stripe(Path file) {
            this.file = file;
        }

        FileChannel channel() throws IOException {
            if (channel == null || !channel.isOpen()) {
                Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            return channel;
        }
    }
}
