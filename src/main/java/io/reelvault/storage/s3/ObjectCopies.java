package io.reelvault.storage.s3;

import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectMoves;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * {@link ObjectMoves} on S3: a server-side copy, then the source deleted; no byte passes through the service. Up to
 * {@link #COPY_MAX} (S3's limit for CopyObject, 5 GiB) one CopyObject; above it a multipart upload of the target whose
 * parts are UploadPartCopy ranges of the source of {@code partSize} bytes (all but the last), sent one after the other,
 * aborted on any failure. Every copy is conditioned on the source's ETag ({@code x-amz-copy-source-if-match}, a 412
 * otherwise) and requests the bucket's encryption; the target keeps the source's media type.
 */
final class ObjectCopies implements ObjectMoves {
    /** The largest object one CopyObject copies (S3's limit). */
    static final long COPY_MAX = 5L * 1024 * 1024 * 1024;
    /** The part size of a multipart copy: 1 GiB, so 5 TiB (S3's largest object) needs 5,120 parts. */
    static final long COPY_PART = 1024L * 1024 * 1024;

    private final S3Bucket bucket;
    private final ObjectReads reads;
    private final ObjectDeletes deletes;
    private final long copyMax;
    private final long partSize;

    ObjectCopies(S3Bucket bucket, ObjectReads reads, ObjectDeletes deletes) {
        this(bucket, reads, deletes, COPY_MAX, COPY_PART);
    }

    /** With other limits, for tests of the multipart copy on small objects (parts of at least 5 MiB but the last). */
    ObjectCopies(S3Bucket bucket, ObjectReads reads, ObjectDeletes deletes, long copyMax, long partSize) {
        this.bucket = bucket;
        this.reads = reads;
        this.deletes = deletes;
        this.copyMax = copyMax;
        this.partSize = partSize;
    }

    @Override
    public Uni<ObjectInfo> move(ObjectKey from, String ifMatch, ObjectKey to) {
        return reads.head(from)
                .map(found -> found.orElseThrow(() -> ReelvaultException.notFound("object")))
                .chain(source -> (source.size() <= copyMax
                                ? copy(source, ifMatch, to)
                                : copyInParts(source, ifMatch, to))
                        .call(() -> deletes.delete(from)));
    }

    private Uni<ObjectInfo> copy(ObjectInfo source, String ifMatch, ObjectKey to) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .copyObject(b -> b.sourceBucket(bucket.name())
                                .sourceKey(source.key().value())
                                .copySourceIfMatch(ifMatch)
                                .destinationBucket(bucket.name())
                                .destinationKey(to.value())
                                .metadataDirective(MetadataDirective.COPY)
                                .serverSideEncryption(bucket.sse())
                                .overrideConfiguration(bucket.deadline(source.size()))))
                .onFailure()
                .transform(S3Errors::translate)
                .map(r -> new ObjectInfo(
                        to,
                        source.size(),
                        r.copyObjectResult().lastModified() != null
                                ? r.copyObjectResult().lastModified()
                                : bucket.clock().instant(),
                        r.copyObjectResult().eTag(),
                        source.contentType()));
    }

    private Uni<ObjectInfo> copyInParts(ObjectInfo source, String ifMatch, ObjectKey to) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .createMultipartUpload(b -> b.bucket(bucket.name())
                                .key(to.value())
                                .contentType(source.contentType())
                                .serverSideEncryption(bucket.sse())
                                .overrideConfiguration(bucket.deadline())))
                .onFailure()
                .transform(S3Errors::translate)
                .chain(created -> {
                    String uploadId = created.uploadId();
                    return copyParts(source, ifMatch, to, uploadId)
                            .chain(parts -> Uni.createFrom()
                                    .completionStage(() -> bucket.s3()
                                            .completeMultipartUpload(b -> b.bucket(bucket.name())
                                                    .key(to.value())
                                                    .uploadId(uploadId)
                                                    .multipartUpload(m -> m.parts(parts))
                                                    .overrideConfiguration(bucket.deadline()))))
                            .onFailure()
                            .call(() -> Uni.createFrom()
                                    .completionStage(() -> bucket.s3()
                                            .abortMultipartUpload(b -> b.bucket(bucket.name())
                                                    .key(to.value())
                                                    .uploadId(uploadId)
                                                    .overrideConfiguration(bucket.deadline())))
                                    .onFailure()
                                    .recoverWithNull())
                            .onFailure()
                            .transform(S3Errors::translate)
                            .map(done -> new ObjectInfo(
                                    to, source.size(), bucket.clock().instant(), done.eTag(), source.contentType()));
                });
    }

    /** The UploadPartCopy parts, one after the other (each is a server-side copy of up to {@code partSize} bytes). */
    private Uni<List<CompletedPart>> copyParts(ObjectInfo source, String ifMatch, ObjectKey to, String uploadId) {
        int count = (int) ((source.size() + partSize - 1) / partSize);
        List<CompletedPart> parts = new ArrayList<>(count);
        return Multi.createFrom()
                .range(1, count + 1)
                .onItem()
                .transformToUniAndConcatenate(n -> {
                    long first = (n - 1) * partSize;
                    long last = Math.min(source.size(), first + partSize) - 1;
                    return Uni.createFrom()
                            .completionStage(() -> bucket.s3()
                                    .uploadPartCopy(b -> b.sourceBucket(bucket.name())
                                            .sourceKey(source.key().value())
                                            .copySourceIfMatch(ifMatch)
                                            .copySourceRange("bytes=" + first + "-" + last)
                                            .destinationBucket(bucket.name())
                                            .destinationKey(to.value())
                                            .uploadId(uploadId)
                                            .partNumber(n)
                                            .overrideConfiguration(bucket.deadline(last - first + 1))))
                            .map(r -> CompletedPart.builder()
                                    .partNumber(n)
                                    .eTag(r.copyPartResult().eTag())
                                    .build());
                })
                .invoke(parts::add)
                .collect()
                .last()
                .map(x -> {
                    parts.sort(Comparator.comparingInt(CompletedPart::partNumber));
                    return parts;
                });
    }
}
