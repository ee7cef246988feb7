package io.reelvault.storage.s3;

import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.FileType;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.ResolvedRange;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads: GetObject (whole, or a byte range resolved from the answer's {@code Content-Range}; an unsatisfiable range
 * is a 416 with the object's size), HeadObject (its bodiless 404 told apart from a missing bucket), ListObjectsV2,
 * and the readiness probe.
 */
final class ObjectReads {
    /** How long a bucket seen to exist is believed to: a HEAD's 404 within it is a missing key without asking. */
    static final Duration BUCKET_SEEN_FOR = Duration.ofSeconds(2);

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    private final S3Bucket bucket;
    /** When the bucket was last seen to exist ({@link System#nanoTime()}; 0: never): see {@link #head}. */
    private volatile long bucketSeenAt;

    ObjectReads(S3Bucket bucket) {
        this.bucket = bucket;
    }

    Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .getObject(
                                b -> b.bucket(bucket.name())
                                        .key(key.value())
                                        .range(range.map(ByteRange::toString).orElse(null))
                                        .overrideConfiguration(bucket.deadline()),
                                AsyncResponseTransformer.<GetObjectResponse>toPublisher()))
                .map(publisher -> content(key, range, publisher))
                .onFailure(S3Errors::isInvalidRange)
                .recoverWithUni(e -> unsatisfiable(key, range.orElseThrow()))
                .onFailure()
                .transform(S3Errors::translate);
    }

    private ObjectContent content(
            ObjectKey key, Optional<ByteRange> range, ResponsePublisher<GetObjectResponse> publisher) {
        GetObjectResponse r = publisher.response();
        long length = r.contentLength();
        Optional<ResolvedRange> resolved = Optional.empty();
        long size = length;
        if (range.isPresent() && r.contentRange() != null) {
            Matcher m = CONTENT_RANGE.matcher(r.contentRange());
            if (m.matches()) {
                size = Long.parseLong(m.group(3));
                resolved = Optional.of(new ResolvedRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), size));
            }
        }
        ObjectInfo info = new ObjectInfo(
                key,
                size,
                r.lastModified(),
                r.eTag(),
                r.contentType() != null ? r.contentType() : FileType.mediaTypeOf(key));
        Multi<ByteBuffer> body = Multi.createFrom()
                .publisher(AdaptersToFlow.publisher(publisher))
                .onFailure()
                .transform(S3Errors::translate);
        return new ObjectContent(info, resolved, body);
    }

    private Uni<ObjectContent> unsatisfiable(ObjectKey key, ByteRange range) {
        return head(key).map(info -> {
            ObjectInfo i = info.orElseThrow(() -> ReelvaultException.notFound("object"));
            throw ReelvaultException.rangeNotSatisfiable(i.size(), range);
        });
    }

    /**
     * A HEAD's 404 has no body, so it cannot tell a missing key from a missing bucket: the bucket is checked then
     * (the readiness probe's request), unless it was seen within {@link #BUCKET_SEEN_FOR}. So a deleted bucket answers
     * {@code storage_refused} rather than "no such object" after that at the latest, and a stream of misses costs at
     * most one LIST per interval.
     */
    Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .headObject(
                                b -> b.bucket(bucket.name()).key(key.value()).overrideConfiguration(bucket.deadline())))
                .map(r -> Optional.of(new ObjectInfo(
                        key,
                        r.contentLength(),
                        r.lastModified(),
                        r.eTag(),
                        r.contentType() != null ? r.contentType() : FileType.mediaTypeOf(key))))
                .onFailure(S3Errors::isNotFound)
                .recoverWithUni(e -> bucketExists().replaceWith(Optional.<ObjectInfo>empty()))
                .onFailure()
                .transform(S3Errors::translate);
    }

    /** Succeeds when the bucket exists: seen recently, or listed now. */
    private Uni<Void> bucketExists() {
        long seen = bucketSeenAt;
        if (seen != 0 && System.nanoTime() - seen < BUCKET_SEEN_FOR.toNanos()) {
            return Uni.createFrom().voidItem();
        }
        return probe();
    }

    Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return Multi.createFrom()
                .deferred(() -> Multi.createFrom()
                        .publisher(AdaptersToFlow.publisher(bucket.s3()
                                .listObjectsV2Paginator(b -> b.bucket(bucket.name())
                                        .prefix(prefix.value().isEmpty() ? null : prefix.value())
                                        .startAfter(
                                                startAfter.map(ObjectKey::value).orElse(null))
                                        .overrideConfiguration(bucket.deadline()))
                                .contents())))
                .select()
                .where(o -> ObjectKey.isValid(o.key()))
                .map(ObjectReads::info)
                .onFailure()
                .transform(S3Errors::translate);
    }

    private static ObjectInfo info(S3Object o) {
        ObjectKey key = ObjectKey.parse(o.key());
        return new ObjectInfo(key, o.size(), o.lastModified(), o.eTag(), FileType.mediaTypeOf(key));
    }

    /**
     * Lists one key of {@code uploads/}: the cheapest call the task role may make (HeadBucket needs
     * an unconditioned {@code s3:ListBucket}, which deploy/iam's least-privilege policy does not grant).
     */
    Uni<Void> probe() {
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .listObjectsV2(b -> b.bucket(bucket.name())
                                .prefix("uploads/")
                                .maxKeys(1)
                                .overrideConfiguration(bucket.deadline())))
                .invoke(() -> bucketSeenAt = Math.max(1, System.nanoTime()))
                .replaceWithVoid()
                .onFailure()
                .transform(S3Errors::translate);
    }
}
