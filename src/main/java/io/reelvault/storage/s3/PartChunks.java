package io.reelvault.storage.s3;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The {@link PartReader#CHUNK}-byte arrays that part buffers are made of, kept for the next part once S3 has a part
 * whole, instead of a new array per chunk.
 *
 * <p>A part lives as long as S3 takes to store it (seconds when it is slow), so new arrays outlived the young
 * generation, were copied from survivor space to survivor space and promoted, and filled the old generation with
 * dead parts: one 1 GiB upload through a 256 MiB heap with the default budget took 336 young collections, 77
 * concurrent cycles and 5 full collections, and the collector took 45 % of the service's CPU (async-profiler, 10 MiB
 * parts, 10 in flight, s3proxy). Arrays that are reused are promoted once and stay.
 *
 * <p>An array comes back only from a part that S3 answered with success (it has read every byte of it, and no request
 * will read it again) or that was never handed to the SDK ({@link MultipartUpload}; a tus append's parts and tail in
 * {@link S3ResumableWrites}). The arrays of a part whose request failed are left to the collector: an attempt the SDK
 * gave up on might still be reading them. At most the budget's worth is kept, and no more than a quarter of the heap:
 * kept arrays stay in the old generation for good, and a budget that is a large share of a small heap would otherwise
 * keep the collector marking it after every young collection, busy requests or not. Arrays beyond that are dropped
 * when given back.
 */
final class PartChunks {
    private final int max;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();

    /** @param budget the bytes of all part buffers at once ({@link BufferBudget}) */
    PartChunks(long budget) {
        this(budget, Runtime.getRuntime().maxMemory());
    }

    /**
     * @param budget the bytes of all part buffers at once ({@link BufferBudget})
     * @param heap   the maximum heap: a quarter of it is kept at most
     */
    PartChunks(long budget, long heap) {
        long kept = Math.min(budget, heap / 4);
        this.max = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (kept + PartReader.CHUNK - 1) / PartReader.CHUNK));
    }

    /** An array of {@link PartReader#CHUNK} bytes: a kept one, else a new one. Its contents are not cleared. */
    synchronized byte[] take() {
        byte[] chunk = free.pollFirst();
        return chunk != null ? chunk : new byte[PartReader.CHUNK];
    }

    /** Keeps the arrays of these chunks (heap buffers of {@link #take}n arrays) for the next parts. */
    synchronized void giveBack(List<ByteBuffer> chunks) {
        for (ByteBuffer chunk : chunks) {
            if (free.size() >= max) {
                return;
            }
            if (chunk.hasArray() && chunk.array().length == PartReader.CHUNK) {
                free.addFirst(chunk.array()); // last in, first out: the arrays most recently touched go first
            }
        }
    }

    /** The arrays kept now. */
    synchronized int kept() {
        return free.size();
    }
}
