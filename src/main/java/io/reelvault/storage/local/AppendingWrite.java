package io.reelvault.storage.local;

import com.sun.nio.file.ExtendedOpenOption;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.storage.RunningDigests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One append to a resumable upload's bytes file ({@link LocalResumableWrites}), written the way {@link PendingWrite}
 * writes a new object: the body is gathered into off-heap batches of {@link WriteBuffers#BYTES}, and a full batch goes
 * to the file in one call on a writer thread while the next one fills; each buffer is hashed into the upload's running
 * digest ({@link RunningDigests}), when there is one, {@link PendingWrite#STEP} bytes at a time, as it is copied.
 *
 * <p>Where the filesystem takes {@code O_DIRECT}, the batches start at the block boundary at or before the append's
 * offset (the first one begins with that block's stored bytes, read back, so that its write puts them back as they
 * are) and go to the disk without a copy into the page cache; what is left after the last whole block is an ordinary
 * write. The file's size therefore never counts a padding byte: it is the upload's offset, even if the process dies
 * mid-append. Up to {@link PendingWrite#IN_FLIGHT} batches wait for the disk at once, but each write starts only
 * when the one before it has ended (and none after a failure), so that a process that dies leaves no hole below the
 * file's size: everything under it is bytes the client sent. {@link #finish} makes the bytes durable
 * ({@code fdatasync}); {@link #settle} keeps what arrived or cuts the file back to the append's start.
 *
 * <p>Methods run on worker threads and are synchronized: a cancellation may settle the append while a buffer is
 * being written.
 */
final class AppendingWrite {
    private final FileChannel channel;
    /** The same file opened with {@code O_DIRECT}; null when not so written. */
    private final FileChannel direct;

    private final int block;
    private final Optional<RunningDigests.Running> digest;
    private final long start;
    /** The bytes accepted so far end here: the file's length once they are all written. */
    private long end;
    /** The batch being filled, null when writing without one (none to be had) or once all is written. */
    private ByteBuffer batch;
    /** Where in the file the batch's first byte goes. */
    private long batchAt;

    /**
     * Full batches handed to the writer threads, oldest first, at most {@link PendingWrite#IN_FLIGHT}: each write
     * starts when the one before it has ended ({@link #written}), and none after a failure.
     */
    private final BatchesInFlight inFlight;
    /** The last write handed over: the next one follows it. */
    private CompletableFuture<Void> written = CompletableFuture.completedFuture(null);

    private boolean closed;

    private AppendingWrite(
            FileChannel channel,
            FileChannel direct,
            int block,
            Optional<RunningDigests.Running> digest,
            long start,
            ByteBuffer batch,
            long batchAt) {
        this.channel = channel;
        this.direct = direct;
        this.block = block;
        this.digest = digest;
        this.start = start;
        this.end = start;
        this.batch = batch;
        this.batchAt = batchAt;
        this.inFlight = new BatchesInFlight("the upload's bytes");
    }

    /**
     * Opens the upload's bytes file (created if missing) for an append at {@code offset}, which must be its size
     * ({@code offset_mismatch} otherwise).
     *
     * @param directBlock the {@code O_DIRECT} block size of the file's filesystem ({@link PendingWrite#directBlockSize}),
     *                    0 for ordinary writes
     * @param digest      the running digest to continue, which must end at {@code offset}
     */
    static AppendingWrite open(Path file, long offset, int directBlock, Optional<RunningDigests.Running> digest)
            throws IOException {
        FileChannel channel =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        FileChannel direct = null;
        ByteBuffer batch = null;
        try {
            long size = channel.size();
            if (size != offset) {
                throw new ReelvaultException(
                        ErrorCode.OFFSET_MISMATCH, "the upload's offset is " + size + ", not " + offset);
            }
            batch = WriteBuffers.acquire();
            long batchAt = offset;
            if (batch != null && directBlock > 0) {
                try {
                    direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
                } catch (IOException | UnsupportedOperationException refused) {
                    // no O_DIRECT here after all: batches as ordinary writes
                }
            }
            if (direct != null) {
                batchAt = offset - offset % directBlock;
                batch.limit((int) (offset - batchAt));
                while (batch.hasRemaining()) {
                    if (channel.read(batch, batchAt + batch.position()) < 0) {
                        throw new IOException("the upload's bytes file ended before its size");
                    }
                }
                batch.limit(batch.capacity());
            }
            return new AppendingWrite(
                    channel, direct, direct != null ? directBlock : 0, digest, offset, batch, batchAt);
        } catch (IOException | RuntimeException e) {
            if (batch != null) {
                WriteBuffers.release(batch);
            }
            closeQuietly(direct);
            closeQuietly(channel);
            throw e;
        }
    }

    /** Appends the buffer (consumed). */
    synchronized void write(ByteBuffer buffer) throws IOException {
        if (closed) {
            throw new CancellationException("append settled");
        }
        while (buffer.hasRemaining()) {
            int n = Math.min(buffer.remaining(), PendingWrite.STEP);
            if (batch != null) {
                n = Math.min(n, batch.remaining());
            }
            ByteBuffer piece = buffer.duplicate().limit(buffer.position() + n);
            digest.ifPresent(d -> d.update(piece)); // then warm in the cache for the copy or the write
            if (batch == null) {
                writeFully(channel, piece, end);
            } else {
                batch.put(batch.position(), buffer, buffer.position(), n);
                batch.position(batch.position() + n);
            }
            buffer.position(buffer.position() + n);
            end += n;
            if (batch != null && !batch.hasRemaining()) {
                flush();
            }
        }
    }

    /**
     * The full batch to the writer threads, written after the batches before it; filling goes on in another buffer: a
     * new one while fewer than {@link PendingWrite#IN_FLIGHT} are in flight, else the oldest one's once written.
     */
    private void flush() throws IOException {
        ByteBuffer full = batch.flip();
        long at = batchAt;
        batchAt += full.remaining();
        ByteBuffer next = inFlight.size() < PendingWrite.IN_FLIGHT ? WriteBuffers.acquire() : null;
        if (next == null && !inFlight.isEmpty()) {
            next = inFlight.awaitOldest();
        }
        if (next == null) { // no second buffer to be had: this one is written before it fills again
            inFlight.awaitAll();
            writeFully(target(), full, at);
            batch = full.clear();
            return;
        }
        batch = next;
        FileChannel target = target();
        written = written.thenRunAsync(
                () -> {
                    try {
                        writeFully(target, full, at);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                PendingWrite.WRITERS);
        inFlight.add(full, written);
    }

    private FileChannel target() {
        return direct != null ? direct : channel;
    }

    /** Writes what is not yet written (the whole blocks with {@code O_DIRECT}, the rest the ordinary way). */
    private void writeRest() throws IOException {
        ByteBuffer rest = batch;
        batch = null;
        try {
            inFlight.awaitAll();
            if (rest == null) {
                return;
            }
            int filled = rest.position();
            if (end > start) {
                int whole = block > 0 ? filled - filled % block : 0;
                if (whole > 0) {
                    writeFully(direct, rest.duplicate().position(0).limit(whole), batchAt);
                }
                if (filled > whole) {
                    writeFully(channel, rest.duplicate().position(whole).limit(filled), batchAt + whole);
                }
            }
        } finally {
            if (rest != null) {
                WriteBuffers.release(rest);
            }
        }
    }

    /** Writes every byte accepted and makes them durable; returns the file's new size. */
    synchronized long finish() throws IOException {
        if (closed) {
            throw new CancellationException("append settled");
        }
        writeRest();
        channel.force(false);
        return channel.size();
    }

    /**
     * After a failed or cancelled append: keeps (durably) what arrived, or cuts the file back to where the append
     * started; then closes. Never throws: the next HEAD reports whatever the file holds.
     *
     * @return the file's size after it, -1 when that is not known (a failure, or already settled)
     */
    synchronized long settle(boolean keep) {
        if (closed) {
            return -1;
        }
        try {
            if (keep) {
                writeRest();
            } else {
                inFlight.awaitAll();
                channel.truncate(start);
            }
            channel.force(false);
            return channel.size();
        } catch (IOException | RuntimeException ignored) {
            return -1; // the next HEAD reports whatever the file holds
        } finally {
            close();
        }
    }

    /** Releases the buffers (once the write in flight is done) and closes the file. Idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        batch = inFlight.releaseAll(batch);
        closeQuietly(direct);
        closeQuietly(channel);
    }

    private static void writeFully(FileChannel target, ByteBuffer buffer, long at) throws IOException {
        long position = at - buffer.position();
        while (buffer.hasRemaining()) {
            target.write(buffer, position + buffer.position());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
