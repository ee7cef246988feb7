package io.reelvault.storage.local;

import com.sun.nio.file.ExtendedOpenOption;
import io.reelvault.common.DaemonThreads;
import io.reelvault.common.Sha256;
import io.reelvault.storage.RunningDigests.KnownDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * One object being written: a temp file in the store's own temp folder (same filesystem as the
 * objects), written, fsynced, then renamed over the target atomically. Until {@link #commit} nothing
 * is visible; {@link #abort} removes every trace. Methods are called on worker threads; they are
 * synchronized because an abort (cancellation) may arrive while a chunk is being written. The SHA-256 and the CRC32C
 * of the bytes are recorded on the temp file before the rename ({@link StoredDigest}), unless the filesystem cannot
 * keep them.
 *
 * <p>The bytes take one pass: each incoming buffer is hashed where it lies (a heap buffer's array, which the JDK's
 * SHA-256 and CRC32C intrinsics read in place), {@link #STEP} bytes at a time so that the CRC32C and the copy find
 * them in the cache the SHA-256 just filled, and copied into an off-heap batch of {@link WriteBuffers#BYTES}, which
 * goes to the file in one call when full. The batch is an ordinary write, and every {@link #SYNC_BEHIND} bytes an
 * {@code fdatasync} starts on another thread ({@link #syncBehind}), so that the disk writes the body back while the
 * rest of it arrives rather than all of it in the fsync before the rename. When asked for
 * ({@code REELVAULT_STORAGE_LOCAL_DIRECT_WRITES}) and the filesystem allows it, the file is opened with
 * {@code O_DIRECT} instead ({@link #open}): the batch then goes from this buffer to the disk without a copy into the
 * page cache, the kernel's largest cost per byte for buffered writes (the last batch is padded to the block size and
 * the file cut back to its length), but each write waits for the disk. Either way the file is fsynced before the
 * rename.
 * A full batch is written, at its place in the file, by a thread of {@link #WRITERS} while the next one fills, up to
 * {@link #IN_FLIGHT} of them at once for an {@code O_DIRECT} file (so up to {@code IN_FLIGHT + 1} batches per write),
 * one for a buffered file ({@link #inFlightAtMost}): hashing and the disk overlap, and the disk has more than one
 * request to work on (synchronous {@code O_DIRECT} writes one at a time leave it idle between them). Nothing waits for
 * a writer thread but the write it serves, and a writer waits for nothing but the disk, so they cannot deadlock with
 * the blocking executor; a batch in flight is waited for before its buffer is reused or released, and before the file
 * is completed or closed.
 *
 * <p>While it streams, the write holds an exclusive OS lock ({@code fcntl}) on its temp file, which the kernel drops
 * when the process dies however it dies: a temp file that nobody locks belongs to no live write
 * ({@link #removeIfAbandoned}), even on a root that several replicas share.
 */
final class PendingWrite {
    private final Path temp;
    private final FileChannel channel;
    private final MessageDigest sha256;
    private final CRC32C crc32c = new CRC32C();
    private final boolean recordDigest;
    /** The block size that {@code O_DIRECT} writes must be multiples of; 0: an ordinary (buffered) file. */
    private final int directBlock;
    /**
     * The batch being filled ({@link WriteBuffers}); null once released, which happens exactly once, and null from the
     * start when none was to be had (too many writes at once): each buffer is then written as it comes.
     */
    private ByteBuffer batch;
    /** Full batches being written, oldest first, each with its write on a {@link #WRITERS} thread. */
    private final BatchesInFlight inFlight;
    /** The bytes of the batches handed to the file so far: where the next batch goes. */
    private long flushed;

    /**
     * Batches written at once, at most, by one {@code O_DIRECT} write (each a {@link WriteBuffers#BYTES} buffer of the
     * pool): each waits for the disk, which gets more than one request to work on. A buffered file takes one at a time
     * ({@link #inFlightAtMost}).
     */
    static final int IN_FLIGHT = 2;

    /** The threads that write full batches (created as needed, ended when idle a minute). */
    static final ExecutorService WRITERS = Executors.newCachedThreadPool(DaemonThreads.numbered("local-writer-"));

    /**
     * The bytes handed to a buffered file, at least, between the starts of two syncs behind the write
     * ({@link #syncBehind}).
     */
    static final long SYNC_BEHIND = 32L << 20;

    /** Bytes between the starts of two syncs behind the write ({@link #SYNC_BEHIND}; tests take less). */
    private final long syncEvery;
    /** The sync behind the write in flight on a {@link #WRITERS} thread, or the last one; null before the first. */
    private Future<?> syncing;
    /** How many syncs behind the write started. */
    private int syncsBehind;
    /** {@link #flushed} (or {@link #written}, unbatched) when the last sync behind the write started. */
    private long syncMark;

    /** The bytes hashed (both ways) and copied at a time: well within a core's L2 cache. */
    static final int STEP = 64 * 1024;

    private String hex;
    /** The CRC32C of an adopted file whose digest was known ({@link #adopt}); null: {@link #crc32c}'s own. */
    private Long knownCrc32c;

    private long written;
    private boolean finished;
    /** A file this write did not create ({@link #adopt}): an abort leaves it where it is. */
    private final boolean adopted;

    private PendingWrite(
            Path temp,
            FileChannel channel,
            boolean recordDigest,
            int directBlock,
            ByteBuffer batch,
            boolean adopted,
            long syncEvery) {
        this.temp = temp;
        this.syncEvery = syncEvery;
        this.channel = channel;
        this.recordDigest = recordDigest;
        this.directBlock = directBlock;
        this.sha256 = Sha256.newDigest();
        this.batch = batch;
        this.adopted = adopted;
        this.inFlight = new BatchesInFlight(temp.getFileName().toString());
    }

    /**
     * A write of a file that already holds the whole body, durably (a finished resumable upload's bytes, on the same
     * filesystem): hashed by one read, then {@link #commit committed} by the same rename as a written temp file. An
     * abort closes it and leaves it in place, its owner's still.
     */
    static PendingWrite adopt(Path file, boolean recordDigest, Optional<KnownDigest> known) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        PendingWrite write = new PendingWrite(file, channel, recordDigest, 0, null, true, Long.MAX_VALUE);
        try {
            if (known.isPresent()) { // hashed as the bytes arrived: not read again
                write.written = channel.size();
                write.hex = known.get().sha256();
                write.knownCrc32c = known.get().crc32c();
            } else {
                write.digestWhole();
            }
            return write;
        } catch (IOException | RuntimeException e) {
            write.abort();
            throw e;
        }
    }

    /** The first {@code n} bytes of the file (fewer when it is shorter), read without moving its position. */
    synchronized ByteBuffer head(int n) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(n);
        while (head.hasRemaining() && channel.read(head, head.position()) >= 0) {
            // positional reads until full or at the end
        }
        return head.flip();
    }

    /** Hashes the adopted file from its start to its end (its size is what was written). */
    private synchronized void digestWhole() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(16 * STEP);
        long at = 0;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, at);
            if (n < 0) {
                break;
            }
            buffer.flip();
            for (int i = 0; i < n; i += STEP) {
                digest(buffer, i, Math.min(STEP, n - i));
            }
            at += n;
        }
        written = at;
    }

    /**
     * A new temp file in {@code tempDir}, locked.
     *
     * @param recordDigest whether the filesystem keeps extended attributes ({@link StoredDigest#supported})
     * @param directBlock  the block size of {@code O_DIRECT} writes on {@code tempDir}'s filesystem
     *                     ({@link #directBlockSize}), 0 for ordinary writes; when the file cannot be opened so after
     *                     all, or when no batch buffer is to be had, it is written the ordinary way ({@link #direct}
     *                     says which)
     */
    static PendingWrite open(Path tempDir, boolean recordDigest, int directBlock) throws IOException {
        return open(tempDir, recordDigest, directBlock, SYNC_BEHIND);
    }

    /** As {@link #open(Path, boolean, int)}, a buffered file synced behind every {@code syncEvery} bytes. */
    static PendingWrite open(Path tempDir, boolean recordDigest, int directBlock, long syncEvery) throws IOException {
        Path temp = Files.createTempFile(tempDir, "put-", ".part");
        FileChannel channel = null;
        ByteBuffer batch = WriteBuffers.acquire();
        try {
            int block = 0;
            if (directBlock > 0 && batch != null) {
                try {
                    channel = FileChannel.open(temp, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
                    block = directBlock;
                } catch (IOException | UnsupportedOperationException refused) {
                    // the filesystem takes no O_DIRECT (tmpfs on older kernels, some network filesystems)
                }
            }
            if (channel == null) {
                channel = FileChannel.open(temp, StandardOpenOption.WRITE);
            }
            if (channel.tryLock()
                    == null) { // a sweep of another process that found it first: a fresh file is never old
                throw new IOException("the new temp file " + temp.getFileName() + " is locked by another process");
            }
            return new PendingWrite(temp, channel, recordDigest, block, batch, false, syncEvery);
        } catch (IOException | RuntimeException e) {
            if (batch != null) {
                WriteBuffers.release(batch);
            }
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * The block size to open files in {@code dir} with {@code O_DIRECT}, or 0 for ordinary writes: the filesystem's
     * block size when it is a power of two that the {@link WriteBuffers} alignment is a multiple of, and a probe file
     * there takes an {@code O_DIRECT} write of one block and the cut back to fewer bytes (some filesystems refuse the
     * flag when a file is opened, some only at the first write). Blocking: call once, at start-up.
     */
    static int directBlockSize(Path dir) {
        int block;
        try {
            FileStore store = Files.getFileStore(dir);
            long size = store.getBlockSize();
            if (size <= 0 || size > WriteBuffers.ALIGNMENT || Long.bitCount(size) != 1) {
                return 0;
            }
            block = (int) size;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
        Path probe = null;
        ByteBuffer buffer = WriteBuffers.acquire();
        if (buffer == null) {
            return 0;
        }
        try {
            probe = Files.createTempFile(dir, "direct-", ".tmp");
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                buffer.limit(block);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.truncate(block / 2);
            }
            return Files.size(probe) == block / 2 ? block : 0;
        } catch (IOException | RuntimeException refused) {
            return 0;
        } finally {
            WriteBuffers.release(buffer);
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a probe file left in the temp folder: the incomplete-write sweep removes it
                }
            }
        }
    }

    /** Whether this file was opened with {@code O_DIRECT}. */
    boolean direct() {
        return directBlock > 0;
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

    /** Appends the buffers in order (each consumed); returns the total written so far. */
    synchronized long write(List<ByteBuffer> buffers) throws IOException {
        for (ByteBuffer buffer : buffers) {
            write(buffer);
        }
        return written;
    }

    /** Appends the buffer (consumed); returns the total written so far. */
    synchronized long write(ByteBuffer buffer) throws IOException {
        if (finished) {
            throw new CancellationException("write aborted");
        }
        if (batch == null) {
            for (int at = buffer.position(); at < buffer.limit(); at += STEP) {
                digest(buffer, at, Math.min(STEP, buffer.limit() - at));
            }
            written += buffer.remaining();
            writeFully(buffer);
            syncBehind(written);
            return written;
        }
        while (buffer.hasRemaining()) {
            int n = Math.min(Math.min(buffer.remaining(), batch.remaining()), STEP);
            digest(buffer, buffer.position(), n); // in place for a heap buffer; then warm for the copy below
            batch.put(batch.position(), buffer, buffer.position(), n);
            batch.position(batch.position() + n);
            buffer.position(buffer.position() + n);
            written += n;
            if (!batch.hasRemaining()) {
                flush();
            }
        }
        return written;
    }

    /** Adds {@code n} bytes of {@code buffer} from {@code at} to both the SHA-256 and the CRC32C; leaves it as it is. */
    private void digest(ByteBuffer buffer, int at, int n) {
        ByteBuffer piece = buffer.duplicate().limit(at + n).position(at);
        sha256.update(piece);
        crc32c.update(piece.position(at));
    }

    /**
     * Hands the full batch to a writer thread and goes on with another: a new one from the pool while fewer than
     * {@link #IN_FLIGHT} are in flight, else the oldest in flight once written.
     */
    private void flush() throws IOException {
        ByteBuffer full = batch.flip();
        long at = flushed;
        flushed += full.remaining();
        ByteBuffer next = inFlight.size() < inFlightAtMost() ? WriteBuffers.acquire() : null;
        if (next == null && !inFlight.isEmpty()) {
            next = inFlight.awaitOldest();
        }
        if (next == null) { // no second buffer to be had: this one is written before it fills again
            writeFully(full, at);
            full.clear();
        } else {
            batch = next;
            inFlight.add(full, WRITERS.submit(() -> {
                try {
                    writeFully(full, at);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        syncBehind(flushed);
    }

    /**
     * How many full batches may be in flight: {@link #IN_FLIGHT} for an {@code O_DIRECT} file, one for a buffered one.
     * A buffered write returns once its bytes are in the page cache, and the kernel takes the file's lock (ext4's inode
     * lock) for the whole copy, so a second one in flight only waits for the first, spinning on that lock: 2.5-4.5 % of
     * an upload's CPU (async-profiler, {@code rwsem_spin_on_owner} under {@code pwrite}) for no overlap gained. One in
     * flight still overlaps the copy into the page cache with the hashing of the next batch.
     */
    private int inFlightAtMost() {
        return direct() ? IN_FLIGHT : 1;
    }

    /**
     * Starts an {@code fdatasync} of a buffered file on a {@link #WRITERS} thread once {@link #syncEvery} more bytes
     * were handed to it since the last one started, unless one is still running: the disk then writes the body back
     * while the rest of it arrives, instead of all of it in the fsync before the rename (what a disk with a volatile
     * cache, a virtual disk above all, takes longest over). An {@code O_DIRECT} file's bytes are on their way to the
     * disk already. Its failure fails the write ({@link #awaitSync}): the kernel reports a write-back error once per
     * open file, to the first sync that ends after it, so the fsync before the rename might not see it again.
     */
    private void syncBehind(long handed) throws IOException {
        if (direct() || handed - syncMark < syncEvery || (syncing != null && !syncing.isDone())) {
            return;
        }
        awaitSync(); // the last one ended: its failure fails the write now, before another sync could hide it
        syncMark = handed;
        syncsBehind++;
        syncing = WRITERS.submit(() -> {
            channel.force(false);
            return null;
        });
    }

    /** Waits for the sync behind the write, if any, not giving in to interrupts; rethrows its failure. */
    private void awaitSync() throws IOException {
        if (syncing != null) {
            BatchesInFlight.await(syncing, "syncing " + temp.getFileName());
        }
    }

    /** Writes the buffer at the channel's position (the unbatched way, nothing in flight). */
    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Writes the buffer at {@code at} in the file (batches: several may be in flight). */
    private void writeFully(ByteBuffer buffer, long at) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer, at + buffer.position());
        }
    }

    /** Writes what the batch holds (an O_DIRECT file: padded to its block, then cut back) and releases the batches. */
    private void flushLast() throws IOException {
        inFlight.awaitAll();
        if (batch != null && batch.position() > 0) {
            if (direct()) {
                int padded = (batch.position() + directBlock - 1) / directBlock * directBlock;
                while (batch.position() < padded) {
                    batch.put((byte) 0);
                }
            }
            writeFully(batch.flip(), flushed);
            if (direct()) {
                channel.truncate(written);
            }
        }
        releaseBatches();
    }

    /** Gives every batch back to the pool, those in flight once written. Idempotent; never throws. */
    private void releaseBatches() {
        batch = inFlight.releaseAll(batch);
    }

    /** Hex SHA-256 of everything written; call after the last write. */
    synchronized String sha256() {
        if (hex == null) {
            hex = Sha256.hex(sha256);
        }
        return hex;
    }

    /** The CRC32C of everything written (its unsigned value); call after the last write. */
    synchronized long crc32c() {
        return knownCrc32c != null ? knownCrc32c : crc32c.getValue();
    }

    /** How many syncs behind the write started so far. */
    synchronized int syncsBehind() {
        return syncsBehind;
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
        flushLast();
        awaitSync();
        if (recordDigest) {
            StoredDigest.write(temp, sha256(), crc32c()); // before the fsync: as durable as the bytes
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
        releaseBatches();
        try {
            awaitSync(); // before the channel closes under it
        } catch (IOException ignored) {
            // the write is discarded anyway
        }
        if (finished) {
            return false;
        }
        finished = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a file we are about to delete
        }
        if (adopted) {
            return true; // not ours to delete
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // left for the start-up cleaning of the temp folder
        }
        return true;
    }
}
