package io.reelvault.storage.s3;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.SignedUrls.SignedUrl;
import io.smallrye.mutiny.Uni;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Direct multipart uploads on S3 ({@link DirectMultipart}): CreateMultipartUpload (with the bucket's encryption),
 * presigned UploadPart URLs bound to their part number and Content-Length, ListParts, CompleteMultipartUpload,
 * AbortMultipartUpload. The parts go from the client straight to the bucket. S3's refusals of a completion
 * ({@code InvalidPart}, {@code InvalidPartOrder}, {@code EntityTooSmall}) are {@code invalid_part}; a missing upload
 * ({@code NoSuchUpload}) is {@code not_found}. An upload left incomplete is aborted by the bucket's 1-day
 * AbortIncompleteMultipartUpload rule and, once idle for the incomplete-write grace, by {@link AbandonedUploads}.
 */
final class DirectUploads implements DirectMultipart {
    private static final Set<String> INVALID_PART = Set.of("InvalidPart", "InvalidPartOrder", "EntityTooSmall");

    private final S3Bucket bucket;
    private final S3Presigner presigner;
    private final PresignedUrls presigned;
    private final ObjectReads reads;

    DirectUploads(S3Bucket bucket, S3Presigner presigner, PresignedUrls presigned, ObjectReads reads) {
        this.bucket = bucket;
        this.presigner = presigner;
        this.presigned = presigned;
        this.reads = reads;
    }

    @Override
    public Uni<String> create(ObjectKey key, String contentType) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .createMultipartUpload(b -> b.bucket(bucket.name())
                                .key(key.value())
                                .contentType(contentType)
                                .serverSideEncryption(bucket.sse())
                                .overrideConfiguration(bucket.deadline())))
                .map(r -> r.uploadId())
                .onFailure()
                .transform(S3Errors::translate);
    }

    @Override
    public SignedUrl signPart(ObjectKey key, String uploadId, int number, long length, Duration expiresIn) {
        if (number < 1 || number > MAX_PARTS || length < 1) {
            throw new IllegalArgumentException("part numbers are 1 to 10,000, parts at least 1 byte");
        }
        Duration valid = presigned.capToCredentials(expiresIn); // never past the credentials that sign it
        URI url = URI.create(presigner
                .presignUploadPart(p -> p.signatureDuration(valid)
                        .uploadPartRequest(b -> b.bucket(bucket.name())
                                .key(key.value())
                                .uploadId(uploadId)
                                .partNumber(number)
                                .contentLength(length)))
                .url()
                .toString());
        return new SignedUrl(url, valid, Map.of());
    }

    @Override
    public Uni<List<Part>> parts(ObjectKey key, String uploadId, int after, int max) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .listParts(b -> b.bucket(bucket.name())
                                .key(key.value())
                                .uploadId(uploadId)
                                .partNumberMarker(after > 0 ? Integer.valueOf(after) : null)
                                .maxParts(max)
                                .overrideConfiguration(bucket.deadline())))
                .map(r -> r.parts().stream()
                        .map(p -> new Part(p.partNumber(), p.size(), p.eTag()))
                        .toList())
                .onFailure()
                .transform(DirectUploads::translate);
    }

    @Override
    public Uni<ObjectInfo> complete(ObjectKey key, String uploadId, List<Part> parts) {
        List<CompletedPart> completed = parts.stream()
                .map(p -> CompletedPart.builder()
                        .partNumber(p.number())
                        .eTag(p.etag())
                        .build())
                .toList();
        long total = parts.stream().mapToLong(Part::size).sum();
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .completeMultipartUpload(b -> b.bucket(bucket.name())
                                .key(key.value())
                                .uploadId(uploadId)
                                .multipartUpload(m -> m.parts(completed))
                                .overrideConfiguration(bucket.deadline(total))))
                .onFailure()
                .transform(DirectUploads::translate)
                .chain(() -> reads.head(key))
                .map(info -> info.orElseThrow(() -> ReelvaultException.notFound("object")));
    }

    @Override
    public Uni<Void> abort(ObjectKey key, String uploadId) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .abortMultipartUpload(b -> b.bucket(bucket.name())
                                .key(key.value())
                                .uploadId(uploadId)
                                .overrideConfiguration(bucket.deadline())))
                .replaceWithVoid()
                .onFailure(S3Errors::isNotFound)
                .recoverWithNull()
                .onFailure()
                .transform(S3Errors::translate);
    }

    private static Throwable translate(Throwable failure) {
        Throwable e = S3Errors.unwrap(failure);
        if (e instanceof S3Exception s && INVALID_PART.contains(S3Errors.code(s))) {
            return new ReelvaultException(
                    ErrorCode.INVALID_PART, "a part was not uploaded, has another ETag, or is too small");
        }
        if (S3Errors.isNotFound(e)) {
            return ReelvaultException.notFound("multipart upload");
        }
        return S3Errors.translate(e);
    }
}
