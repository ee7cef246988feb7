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
 * until its {@link #release}, which the write calls exactly once. At most {@link #MAX_IN_USE} are in use at once (a
 * quarter of the heap's limit, which is also the JVM's default limit of direct memory, and 64 MiB at most): beyond,
 * {@link #acquire} answers null and the write goes without ({@link PendingWrite}), so that many uploads at once
 * never exhaust direct memory.
 */
final class WriteBuffers {
    /** One buffer: written to the file in one call when full. */
    static final int BYTES = 1 << 20;
    /** The address alignment of every buffer: a multiple of every block size {@code O_DIRECT} uses here. */
    static final int ALIGNMENT = 4096;
    /** At most this many idle buffers are kept (as many MiB off the heap). */
    static final int KEPT = 8;
    /** At most this many buffers are in use at once. */
    static final int MAX_IN_USE =
            (int) Math.max(2, Math.min(64, Runtime.getRuntime().maxMemory() / 4 / BYTES));

    private static final ConcurrentLinkedQueue<ByteBuffer> IDLE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger IDLE_COUNT = new AtomicInteger();
    /** Buffers acquired and not yet released. */
    private static final AtomicLong IN_USE = new AtomicLong();

    private WriteBuffers() {}

    /** A cleared buffer of {@link #BYTES}, aligned, pooled or new; null when {@link #MAX_IN_USE} are in use. */
    static ByteBuffer acquire() {
        if (IN_USE.incrementAndGet() > MAX_IN_USE) {
            IN_USE.decrementAndGet();
            return null;
        }
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
