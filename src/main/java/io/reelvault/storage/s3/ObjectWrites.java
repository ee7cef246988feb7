package io.reelvault.storage.s3;

import io.reelvault.common.Sha256;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * Writes an object: a known length from {@link #REPLAYABLE_MAX} to the multipart threshold streams as one PutObject
 * sent once; smaller bodies and larger or unknown lengths go to {@link MultipartUploads}, which buffers them (one
 * replayable PutObject for a small body, parts otherwise). Either way the body's SHA-256 is computed as it streams
 * and its length checked against the declared one.
 */
final class ObjectWrites {
    /** Bodies of a known length below this are buffered before their PutObject, so that the SDK can retry it. */
    static final long REPLAYABLE_MAX = 1024 * 1024;

    /**
     * For a PutObject whose body is the caller's stream: it can be sent once only, so the SDK must not retry it (its
     * second subscription failed as an interrupted body, 400; a throttled or reset PutObject is now 503
     * {@code storage_unavailable} with {@code Retry-After}, and the caller sends it again). Parts and bodies buffered
     * here are replayable and keep the SDK's retries.
     */
    private static final SdkPlugin NO_RETRIES =
            config -> config.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));

    private final S3Bucket bucket;
    private final MultipartUploads multipart;
    private final ObjectDeletes deletes;

    ObjectWrites(S3Bucket bucket, MultipartUploads multipart, ObjectDeletes deletes) {
        this.bucket = bucket;
        this.multipart = multipart;
        this.deletes = deletes;
    }

    /** @param condition the condition of a conditional write ({@link ConditionalWrites}); null: none */
    Uni<PutResult> put(
            ObjectKey key,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType,
            Optional<String> condition) {
        if (body instanceof AdoptableBody whole) {
            Optional<S3ResumableWrites.TusObject> stored = whole.source(S3ResumableWrites.TusObject.class);
            if (stored.isPresent()
                    && condition == null
                    && whole.length() <= COPY_MAX
                    && (length.isEmpty() || length.getAsLong() == whole.length())) {
                return copy(key, whole, stored.get(), contentType);
            }
        }
        if (streamsOnce(length)) {
            return putSingle(key, body, length.getAsLong(), contentType, condition);
        }
        return multipart.start(key, body, length, contentType, condition);
    }

    /** The largest object one CopyObject may copy (S3's limit); a larger body is streamed. */
    static final long COPY_MAX = 5L * 1024 * 1024 * 1024;

    /**
     * A body already stored whole in the bucket (a finished tus upload's object) made the object at {@code key} by the
     * server: read once through the service for its SHA-256, its length and the checks of its first bytes
     * ({@link AdoptableBody#checkHead}, as soon as they have arrived), then CopyObject (the type and server-side
     * encryption of a put). Nothing is written at {@code key} unless every check passed.
     */
    private Uni<PutResult> copy(
            ObjectKey key, AdoptableBody whole, S3ResumableWrites.TusObject stored, String contentType) {
        return stored.ready()
                .chain(() -> whole.digest().isPresent() && whole.length() > 0
                        ? checkedHead(whole, stored, whole.digest().get().sha256())
                        : hashed(whole, stored))
                .chain(sha256 -> Uni.createFrom()
                        .completionStage(() -> bucket.s3()
                                .copyObject(b -> b.sourceBucket(bucket.name())
                                        .sourceKey(stored.key())
                                        .destinationBucket(bucket.name())
                                        .destinationKey(key.value())
                                        .contentType(contentType)
                                        .metadataDirective(MetadataDirective.REPLACE)
                                        .serverSideEncryption(bucket.sse())
                                        .overrideConfiguration(bucket.deadline(whole.length()))))
                        .map(r -> new PutResult(
                                new ObjectInfo(
                                        key,
                                        whole.length(),
                                        bucket.clock().instant(),
                                        r.copyObjectResult().eTag(),
                                        contentType),
                                sha256)))
                .onFailure()
                .transform(e -> e instanceof ReelvaultException ? e : S3Errors.translate(e));
    }

    /**
     * For a body whose digest is known (hashed as it arrived, {@link AdoptableBody#digest}): only the stored object's
     * first bytes read, for the checks of {@link AdoptableBody#checkHead}, and its length (from the answer's
     * {@code Content-Range}) the body's; {@code sha256} then stands for the object.
     */
    private Uni<String> checkedHead(AdoptableBody whole, S3ResumableWrites.TusObject stored, String sha256) {
        int wanted = (int) Math.max(1, Math.min(whole.headBytes(), whole.length()));
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .getObject(
                                b -> b.bucket(bucket.name())
                                        .key(stored.key())
                                        .range("bytes=0-" + (wanted - 1))
                                        .overrideConfiguration(bucket.deadline()),
                                AsyncResponseTransformer.<GetObjectResponse>toPublisher()))
                .chain(publisher -> {
                    String range = publisher.response().contentRange(); // none: a server that ignored the Range
                    long size = range == null
                            ? publisher.response().contentLength()
                            : Long.parseLong(
                                    range.substring(range.lastIndexOf('/') + 1).trim());
                    if (size != whole.length()) {
                        throw S3Errors.lengthMismatch(whole.length());
                    }
                    return Multi.createFrom()
                            .publisher(AdaptersToFlow.publisher(publisher))
                            .collect()
                            .in(() -> ByteBuffer.allocate(wanted), (head, buffer) -> {
                                ByteBuffer piece = buffer.duplicate();
                                piece.limit(piece.position() + Math.min(piece.remaining(), head.remaining()));
                                head.put(piece); // beyond the head (a server that ignored the Range): dropped
                            });
                })
                .map(head -> {
                    whole.checkHead(head.flip());
                    return sha256;
                });
    }

    /** The stored object's hex SHA-256, read once; its first bytes checked, its length the body's. */
    private Uni<String> hashed(AdoptableBody whole, S3ResumableWrites.TusObject stored) {
        MessageDigest sha = Sha256.newDigest();
        ByteBuffer head = ByteBuffer.allocate(whole.headBytes());
        AtomicLong seen = new AtomicLong();
        AtomicBoolean headChecked = new AtomicBoolean(whole.headBytes() == 0);
        return Uni.createFrom()
                .completionStage(() -> bucket.s3()
                        .getObject(
                                b -> b.bucket(bucket.name())
                                        .key(stored.key())
                                        .overrideConfiguration(bucket.deadline(whole.length())),
                                AsyncResponseTransformer.<GetObjectResponse>toPublisher()))
                .onItem()
                .transformToMulti(publisher -> Multi.createFrom().publisher(AdaptersToFlow.publisher(publisher)))
                .onItem()
                .invoke(buffer -> {
                    if (!headChecked.get()) {
                        ByteBuffer first = buffer.duplicate();
                        first.limit(first.position() + Math.min(first.remaining(), head.remaining()));
                        head.put(first);
                        if (!head.hasRemaining()) {
                            headChecked.set(true);
                            whole.checkHead(head.duplicate().flip());
                        }
                    }
                    sha.update(buffer.duplicate());
                    if (seen.addAndGet(buffer.remaining()) > whole.length()) {
                        throw S3Errors.lengthMismatch(whole.length());
                    }
                })
                .collect()
                .last()
                .map(ignored -> {
                    if (seen.get() != whole.length()) {
                        throw S3Errors.lengthMismatch(whole.length());
                    }
                    if (!headChecked.get()) {
                        whole.checkHead(head.duplicate().flip());
                    }
                    return Sha256.hex(sha);
                });
    }

    /**
     * Whether the body streams straight into one PutObject, sent once (no SDK retry): a known length from
     * {@link #REPLAYABLE_MAX} to the multipart threshold. Smaller bodies (metadata documents, thumbnails, small uploads)
     * are buffered first, within the buffer budget, into one PutObject that the SDK may send again when S3 throttles
     * or a connection breaks; larger ones and unknown lengths go multipart, whose parts are buffered and retried.
     */
    private boolean streamsOnce(OptionalLong length) {
        return length.isPresent()
                && length.getAsLong() >= REPLAYABLE_MAX
                && length.getAsLong() < multipart.settings.threshold();
    }

    private Uni<PutResult> putSingle(
            ObjectKey key, Multi<ByteBuffer> body, long length, String contentType, Optional<String> condition) {
        return Uni.createFrom()
                .deferred(() -> {
                    if (multipart.stopped()) {
                        throw S3Errors.stopping();
                    }
                    MessageDigest sha = Sha256.newDigest();
                    AtomicLong seen = new AtomicLong();
                    AtomicReference<Throwable> bodyFailure = new AtomicReference<>();
                    Multi<ByteBuffer> checked = body.onItem()
                            .invoke(b -> {
                                sha.update(b.duplicate());
                                if (seen.addAndGet(b.remaining()) > length) {
                                    throw S3Errors.lengthMismatch(length);
                                }
                            })
                            .onCompletion()
                            .invoke(() -> {
                                if (seen.get() != length) {
                                    throw S3Errors.lengthMismatch(length);
                                }
                            })
                            .onFailure()
                            .invoke(bodyFailure::set);
                    AsyncRequestBody requestBody = new OneShotBody(new KnownLengthBody(checked, length, contentType));
                    return Uni.createFrom()
                            .completionStage(() -> bucket.s3()
                                    .putObject(
                                            b -> {
                                                b.bucket(bucket.name())
                                                        .key(key.value())
                                                        .contentType(contentType)
                                                        .contentLength(length)
                                                        .serverSideEncryption(bucket.sse())
                                                        .overrideConfiguration(o -> o.addPlugin(NO_RETRIES));
                                                ConditionalWrites.on(b, condition);
                                            },
                                            requestBody))
                            // the SDK reports a failed body as its own client error: the body's failure is the real one
                            .onFailure()
                            .transform(e -> bodyFailure.get() != null ? bodyFailure.get() : e)
                            .<PutResult>chain(r -> {
                                Throwable failed = bodyFailure.get();
                                if (failed == null && seen.get() == length) {
                                    return Uni.createFrom()
                                            .item(new PutResult(
                                                    new ObjectInfo(
                                                            key,
                                                            length,
                                                            bucket.clock().instant(),
                                                            r.eTag(),
                                                            contentType),
                                                    Sha256.hex(sha)));
                                }
                                // the body failed or ended short, yet the server answered 200: a lax server (s3proxy
                                // keeps what arrived before the connection closed; S3 answers IncompleteBody) stored
                                // a truncated object, which must not stay
                                Throwable cause = failed != null ? failed : S3Errors.lengthMismatch(length);
                                return deletes.delete(key)
                                        .onFailure()
                                        .recoverWithNull()
                                        .chain(v -> Uni.createFrom().<PutResult>failure(cause));
                            });
                })
                .onFailure()
                .transform(S3Errors::translate);
    }
}
