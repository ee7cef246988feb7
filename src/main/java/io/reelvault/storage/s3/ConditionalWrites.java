package io.reelvault.storage.s3;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Uni;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * S3's conditional writes: {@code If-Match: {etag}} or {@code If-None-Match: *} on the PutObject, or on the
 * CompleteMultipartUpload of a multipart upload (AWS S3 since 2024; MinIO; s3proxy 4). The server answers
 * {@code 412 PreconditionFailed}, or {@code 409 ConditionalRequestConflict} while another conditional write of
 * the key is in progress, or {@code 404} when If-Match finds no object: each is a
 * {@link PreconditionFailedException}, with nothing written (a multipart upload is aborted).
 *
 * <p>A condition is an {@code Optional<String>}: the ETag the object must still have, or empty for "only if there
 * is no object"; null for an unconditional write.
 */
final class ConditionalWrites {
    private ConditionalWrites() {}

    /** Puts {@code If-Match} or {@code If-None-Match: *} on a PutObject; {@code condition} null: none. */
    static void on(PutObjectRequest.Builder b, Optional<String> condition) {
        if (condition != null) {
            b.ifMatch(condition.orElse(null)).ifNoneMatch(condition.isPresent() ? null : "*");
        }
    }

    /** The same on the CompleteMultipartUpload of a multipart upload. */
    static void on(CompleteMultipartUploadRequest.Builder b, Optional<String> condition) {
        if (condition != null) {
            b.ifMatch(condition.orElse(null)).ifNoneMatch(condition.isPresent() ? null : "*");
        }
    }

    /** An If-Match write that found no object (S3's 404) lost its condition: the object it expected is gone. */
    static Uni<PutResult> goneIsLost(Uni<PutResult> put, Optional<String> expectedEtag) {
        return put.onFailure(e -> expectedEtag.isPresent()
                        && e instanceof ReelvaultException r
                        && r.code() == ErrorCode.NOT_FOUND)
                .transform(e -> new PreconditionFailedException("the object is gone", e));
    }
}
