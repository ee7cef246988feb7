package io.reelvault.storage.s3;

import io.reelvault.common.Sha256;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.async.AsyncRequestBody;

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
        if (streamsOnce(length)) {
            return putSingle(key, body, length.getAsLong(), contentType, condition);
        }
        return multipart.start(key, body, length, contentType, condition);
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
