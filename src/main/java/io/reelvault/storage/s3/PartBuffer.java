package io.reelvault.storage.s3;

import io.smallrye.mutiny.Multi;
import java.nio.ByteBuffer;
import java.util.List;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The bytes of one part (or of a whole small body): chunks that are never written again once filled, so they are
 * sent without a copy, from the start on every subscription (a retried request).
 */
record PartBuffer(BufferBudget.Part budget, List<ByteBuffer> chunks, long length) {
    AsyncRequestBody body(String contentType) {
        return new KnownLengthBody(
                Multi.createFrom().iterable(chunks).map(ByteBuffer::asReadOnlyBuffer), length, contentType);
    }
}
