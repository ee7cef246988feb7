package io.reelvault.storage.s3;

import io.reelvault.common.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * Cuts a multipart upload's body into part buffers, on the uploader's thread: bytes are copied into chunks of
 * {@link #CHUNK} whose budget ({@link BufferBudget}) is taken as they arrive, hashed (SHA-256) as they pass and
 * counted against the declared length. The chunks are arrays of {@link PartChunks}, reused from part to part.
 */
final class PartReader {
    /** Part buffers grow (and take budget) by this much at a time. */
    static final int CHUNK = 64 * 1024;

    private final BlockingBody source;
    private final OptionalLong length;
    private final BufferBudget budget;
    private final PartChunks arrays;
    private final long pollMillis;
    private final BooleanSupplier cancelled;
    private final MessageDigest sha = Sha256.newDigest();

    private long total;
    private ByteBuffer pendingTail;

    /**
     * @param pollMillis how often a wait for budget looks at {@code cancelled}
     */
    PartReader(
            BlockingBody source,
            OptionalLong length,
            BufferBudget budget,
            PartChunks arrays,
            long pollMillis,
            BooleanSupplier cancelled) {
        this.source = source;
        this.length = length;
        this.budget = budget;
        this.arrays = arrays;
        this.pollMillis = pollMillis;
        this.cancelled = cancelled;
    }

    /**
     * Reads up to {@code wanted} bytes of the body (fewer only at its end) into chunks of budget taken as they arrive:
     * nothing is taken before the first byte. On failure the part's budget and its arrays are given back.
     */
    PartBuffer fill(long wanted) throws InterruptedException {
        BufferBudget.Part part = budget.part(wanted);
        long size = part.size();
        List<ByteBuffer> chunks = new ArrayList<>();
        byte[] chunk = null;
        int chunkSize = 0;
        int inChunk = 0;
        long at = 0;
        try {
            ByteBuffer pending = pendingTail;
            pendingTail = null;
            while (at < size) {
                ByteBuffer b = pending != null ? pending : source.take();
                pending = null;
                if (b == null) {
                    break;
                }
                while (b.hasRemaining() && at < size) {
                    if (chunk == null || inChunk == chunkSize) {
                        chunkSize = (int) Math.min(CHUNK, size - at);
                        part.grow(chunkSize, pollMillis, cancelled);
                        chunk = arrays.take();
                        chunks.add(ByteBuffer.wrap(chunk, 0, chunkSize));
                        inChunk = 0;
                    }
                    int n = Math.min(b.remaining(), chunkSize - inChunk);
                    ByteBuffer slice = b.duplicate();
                    slice.limit(slice.position() + n);
                    sha.update(slice.duplicate());
                    slice.get(chunk, inChunk, n);
                    b.position(b.position() + n);
                    inChunk += n;
                    at += n;
                    total += n;
                    if (length.isPresent() && total > length.getAsLong()) {
                        throw S3Errors.lengthMismatch(length.getAsLong());
                    }
                }
                if (b.hasRemaining()) {
                    pendingTail = b;
                }
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            part.release();
            arrays.giveBack(chunks); // never handed to the SDK
            throw e;
        }
        if (chunk != null) {
            chunks.set(chunks.size() - 1, ByteBuffer.wrap(chunk, 0, inChunk));
        }
        return new PartBuffer(part, chunks, at);
    }

    /** The bytes read so far. */
    long total() {
        return total;
    }

    /** Whether the whole declared length was read (never, for an unknown length). */
    boolean reachedLength() {
        return total == length.orElse(-1);
    }

    /** Fails with {@code length_mismatch} unless the body ended at its declared length. */
    void checkLength() {
        if (length.isPresent() && total != length.getAsLong()) {
            throw S3Errors.lengthMismatch(length.getAsLong());
        }
    }

    /** The SHA-256 of the whole body, in hex; once, at its end. */
    String sha256() {
        return Sha256.hex(sha);
    }
}
