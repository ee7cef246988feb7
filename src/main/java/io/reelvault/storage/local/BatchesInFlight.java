package io.reelvault.storage.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The full batches of one write ({@link PendingWrite}, {@link AppendingWrite}) handed to writer threads, oldest first,
 * each with its buffer ({@link WriteBuffers}): a buffer is ours again only once its write has ended, so these waits
 * do not give in to interrupts (the disk may still be reading it). Not thread-safe: its write's lock guards it.
 */
final class BatchesInFlight {
    private record InFlight(ByteBuffer buffer, Future<?> write) {}

    private final ArrayDeque<InFlight> queue = new ArrayDeque<>();
    /** What the writes write to, for the message of a failure that is no {@link IOException}. */
    private final String target;

    BatchesInFlight(String target) {
        this.target = target;
    }

    void add(ByteBuffer buffer, Future<?> write) {
        queue.add(new InFlight(buffer, write));
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Waits until the oldest batch is written and returns its buffer, cleared, ours again. Rethrows the write's
     * failure (the buffer then goes back to the pool).
     */
    ByteBuffer awaitOldest() throws IOException {
        InFlight oldest = queue.poll();
        boolean failed = true;
        try {
            await(oldest.write(), "writing to " + target);
            failed = false;
            return oldest.buffer().clear();
        } finally {
            if (failed) {
                WriteBuffers.release(oldest.buffer());
            }
        }
    }

    /**
     * Waits until {@code work} (a write or a sync on a writer thread) has ended, not giving in to interrupts (the
     * thread's interrupt is kept for later); rethrows its failure, an {@link IOException} as it is.
     *
     * @param what what it did, for the message of a failure that is no {@link IOException}
     */
    static void await(Future<?> work, String what) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    work.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                    if (cause instanceof UncheckedIOException io) {
                        throw io.getCause();
                    }
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(what + " failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until every batch is written and gives their buffers back; rethrows the first failure. */
    void awaitAll() throws IOException {
        IOException failure = null;
        while (!queue.isEmpty()) {
            try {
                WriteBuffers.release(awaitOldest());
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Gives every buffer back: those in flight once written (their failures ignored: the write fails anyway), then
     * {@code filling}, the batch being filled, when there is one. Never throws.
     *
     * @return null, for the caller's field that held {@code filling}
     */
    ByteBuffer releaseAll(ByteBuffer filling) {
        try {
            awaitAll();
        } catch (IOException ignored) {
            // their buffers went back to the pool with the failure
        }
        if (filling != null) {
            WriteBuffers.release(filling);
        }
        return null;
    }
}
