package io.reelvault.storage.s3;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The heap that the part buffers of all multipart uploads of one store may hold together
 * ({@code REELVAULT_STORAGE_S3_BUFFER_BUDGET}), taken as bytes arrive: a part buffer grows one chunk at a time, so an
 * upload holds about what its client has sent, and one that has sent nothing holds nothing. A trickling client cannot
 * reserve a whole part with its first byte.
 *
 * <p>Growing buffers could deadlock: every upload holding part of a buffer and waiting for more, none able to finish
 * its part and give memory back. So a chunk is granted only when the state after it is safe (the banker's algorithm):
 * some order exists in which every part being filled can grow to its full size, each finished part giving its bytes
 * back (parts already sent to S3 count as coming back). Otherwise the upload waits (back-pressure on its client)
 * until buffers are given back. An upload whose client stalls holds what it has until the idle deadline cuts it.
 */
final class BufferBudget {
    private final long total;
    private long free;
    private long inFlight;
    private final Set<Part> filling = new HashSet<>();

    BufferBudget(long total) {
        this.total = Math.max(1, total);
        this.free = this.total;
    }

    long total() {
        return total;
    }

    /** Bytes no buffer holds now. */
    synchronized long free() {
        return free;
    }

    /** A part buffer of at most {@code size} bytes (capped at the whole budget), holding nothing yet. */
    Part part(long size) {
        return new Part(Math.min(size, total));
    }

    /** The bytes of one part: taken while it fills, in flight while it is sent, then given back. */
    final class Part {
        private final long size;
        private long held;
        private boolean shipped;
        private boolean returned;

        private Part(long size) {
            this.size = size;
        }

        long size() {
            return size;
        }

        /**
         * Takes {@code bytes} more for this part, waiting while that would be unsafe.
         *
         * @throws CancellationException when {@code cancelled} turns true while waiting
         */
        void grow(long bytes, long pollMillis, BooleanSupplier cancelled) throws InterruptedException {
            synchronized (BufferBudget.this) {
                if (held + bytes > size) {
                    throw new IllegalStateException("a part grows past its size");
                }
                while (!safeAfter(this, bytes)) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancellationException("upload cancelled");
                    }
                    BufferBudget.this.wait(pollMillis);
                }
                free -= bytes;
                held += bytes;
                filling.add(this);
            }
        }

        /** The part is handed to S3: its bytes stay taken until {@link #sent()}. */
        void ship() {
            synchronized (BufferBudget.this) {
                if (shipped || returned) {
                    return;
                }
                shipped = true;
                filling.remove(this);
                inFlight += held;
                BufferBudget.this.notifyAll();
            }
        }

        /** The part's request finished (either way): its bytes are free again. */
        void sent() {
            synchronized (BufferBudget.this) {
                if (!shipped || returned) {
                    return;
                }
                returned = true;
                inFlight -= held;
                free += held;
                BufferBudget.this.notifyAll();
            }
        }

        /** Gives back whatever a part never shipped holds (a failed or empty part). Idempotent. */
        void release() {
            synchronized (BufferBudget.this) {
                if (shipped || returned) {
                    return;
                }
                returned = true;
                filling.remove(this);
                free += held;
                BufferBudget.this.notifyAll();
            }
        }
    }

    /** Whether granting {@code bytes} to {@code part} leaves an order in which every filling part can complete. */
    private boolean safeAfter(Part part, long bytes) {
        if (bytes > free) {
            return false;
        }
        long available = free - bytes + inFlight;
        List<long[]> needs = new ArrayList<>(filling.size() + 1); // {need, held}
        for (Part p : filling) {
            if (p != part) {
                needs.add(new long[] {p.size - p.held, p.held});
            }
        }
        needs.add(new long[] {part.size - part.held - bytes, part.held + bytes});
        needs.sort(Comparator.comparingLong(n -> n[0]));
        for (long[] n : needs) {
            if (n[0] > available) {
                return false;
            }
            available += n[1]; // it completes and gives back all it holds
        }
        return true;
    }
}
