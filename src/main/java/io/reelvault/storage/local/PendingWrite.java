package io.reelvault.storage.local;

import io.reelvault.common.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * One object being written: a temp file in the store's own temp folder (same filesystem as the
 * objects), written, fsynced, then renamed over the target atomically. Until {@link #commit} nothing
 * is visible; {@link #abort} removes every trace. Methods are called on worker threads; they are
 * synchronized because an abort (cancellation) may arrive while a chunk is being written. The SHA-256 of the
 * bytes is recorded on the temp file before the rename ({@link StoredDigest}), unless the filesystem cannot keep it.
 *
 * <p>While it streams, the write holds an exclusive OS lock ({@code fcntl}) on its temp file, which the kernel drops
 * when the process dies however it dies: a temp file that nobody locks belongs to no live write
 * ({@link #removeIfAbandoned}), even on a root that several replicas share.
 */
final class PendingWrite {
    private final Path temp;
    private final FileChannel channel;
    private final MessageDigest sha256;
    private final boolean recordDigest;
    private String hex;
    private long written;
    private boolean finished;

    private PendingWrite(Path temp, FileChannel channel, boolean recordDigest) {
        this.temp = temp;
        this.channel = channel;
        this.recordDigest = recordDigest;
        this.sha256 = Sha256.newDigest();
    }

    /** @param recordDigest whether the filesystem keeps extended attributes ({@link StoredDigest#supported}) */
    static PendingWrite open(Path tempDir, boolean recordDigest) throws IOException {
        Path temp = Files.createTempFile(tempDir, "put-", ".part");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.WRITE);
            if (channel.tryLock()
                    == null) { // a sweep of another process that found it first: a fresh file is never old
                throw new IOException("the new temp file " + temp.getFileName() + " is locked by another process");
            }
            return new PendingWrite(temp, channel, recordDigest);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** The temp file. */
    Path temp() {
        return temp;
    }

    /**
     * Deletes {@code temp} when no process holds its lock (its write's process died): locks it first, so that a
     * live write of another process is never touched. Never call it for a write of this process (on POSIX, closing
     * any channel to a file drops every lock this process holds on it).
     *
     * @return whether it was deleted
     */
    static boolean removeIfAbandoned(Path temp) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (NoSuchFileException gone) {
            return false;
        }
        try (channel) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException ours) {
                return false;
            }
            if (lock == null) {
                return false; // a live write of another process
            }
            return Files.deleteIfExists(temp);
        }
    }

    /** Appends the buffer; returns the total written so far. */
    synchronized long write(ByteBuffer buffer) throws IOException {
        if (finished) {
            throw new CancellationException("write aborted");
        }
        sha256.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
            written += channel.write(buffer);
        }
        return written;
    }

    /** Hex SHA-256 of everything written; call after the last write. */
    synchronized String sha256() {
        if (hex == null) {
            hex = Sha256.hex(sha256);
        }
        return hex;
    }

    synchronized long written() {
        return written;
    }

    /**
     * Makes the bytes durable and moves them to {@code target} atomically; the caller fsyncs the folder.
     *
     * @return the attributes of the file this write put there (a rename keeps its inode, size and modification
     *         time), read before the move: once it is in place another writer may already have replaced it, so
     *         reading the target afterwards could describe that writer's object instead
     */
    synchronized BasicFileAttributes commit(Path target, LocalFiles files) throws IOException {
        return commit(target, files, Optional.empty());
    }

    /**
     * {@link #commit}, the new file's modification time first moved past {@code newerThan} (the time of the object it
     * replaces) when it is not already later: every version of a key then has an ETag of its own, even when two writes
     * fall into one tick of the filesystem's clock.
     */
    synchronized BasicFileAttributes commit(Path target, LocalFiles files, Optional<FileTime> newerThan)
            throws IOException {
        if (finished) {
            throw new CancellationException("write aborted");
        }
        if (recordDigest) {
            StoredDigest.write(temp, sha256()); // before the fsync: the digest is as durable as the bytes
        }
        channel.force(true);
        channel.close();
        if (newerThan.isPresent() && Files.getLastModifiedTime(temp).compareTo(newerThan.get()) <= 0) {
            Files.setLastModifiedTime(
                    temp, FileTime.from(newerThan.get().toInstant().plusMillis(1)));
        }
        BasicFileAttributes attributes =
                Files.readAttributes(temp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        files.moveIntoPlace(temp, target);
        finished = true;
        return attributes;
    }

    /** Discards the temp file. Idempotent; never throws. @return whether this call aborted it (false: already finished) */
    synchronized boolean abort() {
        if (finished) {
            return false;
        }
        finished = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a file we are about to delete
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // left for the start-up cleaning of the temp folder
        }
        return true;
    }
}
