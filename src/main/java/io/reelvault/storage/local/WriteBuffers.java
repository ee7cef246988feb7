package io.reelvault.storage.local;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The off-heap buffers that {@link PendingWrite}s gather a body into before each write to the file: {@link #BYTES}
 * each, aligned to {@link #ALIGNMENT} (what {@code O_DIRECT} asks of a buffer's address). A small pool keeps up to
 * {@link #KEPT} of them for reuse, so that an upload allocates none in the steady state; a buffer released when the
 * pool is full is left to the garbage collector. Each buffer belongs to one write at a time, from {@link #acquire}
 * until its {@link #release}, which the write calls exactly once.
 */
final class WriteBuffers {
    /** One buffer: written to the file in one call when full. */
    static final int BYTES = 1 << 20;
    /** The address alignment of every buffer: a multiple of every block size {@code O_DIRECT} uses here. */
    static final int ALIGNMENT = 4096;
    /** At most this many idle buffers are kept (as many MiB off the heap). */
    static final int KEPT = 8;

    private static final ConcurrentLinkedQueue<ByteBuffer> IDLE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger IDLE_COUNT = new AtomicInteger();
    /** Buffers acquired and not yet released. */
    private static final AtomicLong IN_USE = new AtomicLong();

    private WriteBuffers() {}

    /** A cleared buffer of {@link #BYTES}, aligned; pooled or new. */
    static ByteBuffer acquire() {
        IN_USE.incrementAndGet();
        ByteBuffer buffer = IDLE.poll();
        if (buffer != null) {
            IDLE_COUNT.decrementAndGet();
            return buffer.clear();
        }
        return ByteBuffer.allocateDirect(BYTES + ALIGNMENT)
                .alignedSlice(ALIGNMENT)
                .limit(BYTES)
                .slice();
    }

    /** Hands a buffer of {@link #acquire} back; its caller must not touch it afterwards. */
    static void release(ByteBuffer buffer) {
        for (ByteBuffer idle : IDLE) { // by reference: ByteBuffer.equals compares contents
            if (idle == buffer) {
                throw new IllegalStateException("a write buffer was released twice");
            }
        }
        IN_USE.decrementAndGet();
        if (IDLE_COUNT.incrementAndGet() <= KEPT) {
            IDLE.offer(buffer);
        } else {
            IDLE_COUNT.decrementAndGet();
        }
    }

    /** How many buffers are acquired and not released (for tests). */
    static long inUse() {
        return IN_USE.get();
    }
}
