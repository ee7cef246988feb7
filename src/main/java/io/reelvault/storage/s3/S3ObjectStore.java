package io.reelvault.storage.s3;

import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.IncompleteWrites;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectMoves;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.ReadinessProbe;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.storage.SignedUrls;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 backend on the async client; each job is a class of this package, and this one puts them together. Known
 * lengths below {@link ObjectWrites#REPLAYABLE_MAX} are buffered into one PutObject the SDK may retry; known lengths
 * from there to the multipart threshold stream as one PutObject sent once (a throttled one is
 * {@code storage_unavailable}, for the caller to retry) ({@link ObjectWrites}); larger or unknown lengths go
 * multipart ({@link MultipartUpload}): parts of {@code partSize} bytes (growing so that no object needs more than
 * 10,000 parts), up to {@code partConcurrency} in flight, their buffers bounded per upload and by a budget shared by
 * all uploads ({@link BufferBudget}: taken as bytes arrive, never before the first one, and handed out so that no set
 * of uploads can deadlock); any failure or cancellation aborts the multipart upload. Every write requests SSE-S3. The
 * SHA-256 of every object is computed while it streams. The multipart uploads still running when the service stops
 * are aborted before it exits ({@link PendingWrites}, {@link MultipartUploads}); one whose process died before it
 * could abort it is found by {@link #removeAbandoned} ({@link IncompleteWrites}, {@link AbandonedUploads}). Reads
 * and ranges: {@link ObjectReads}; deletes: {@link ObjectDeletes}; presigned URLs: {@link PresignedUrls}; SDK
 * failures: {@link S3Errors}; multipart uploads whose parts clients send straight to the bucket: {@link DirectUploads}.
 */
public final class S3ObjectStore implements ObjectStore, ReadinessProbe, SignedUrls, IncompleteWrites, PendingWrites {
    static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    /** Multipart settings: all sizes in bytes. */
    public record Multipart(long threshold, long partSize, int partConcurrency, long bufferBudget) {}

    private final MultipartUploads multipart;
    private final ObjectWrites writes;
    private final ObjectReads reads;
    private final ObjectDeletes deletes;
    private final PresignedUrls presigned;
    private final AbandonedUploads abandoned;
    private final S3ResumableWrites resumable;
    private final DirectUploads direct;
    private final ObjectCopies copies;

    /** @param sse the encryption every write requests; null only for test servers that implement none */
    S3ObjectStore(
            S3AsyncClient s3,
            S3Presigner presigner,
            String bucket,
            Multipart multipart,
            ExecutorService uploaders,
            ServerSideEncryption sse,
            Clock clock) {
        this(s3, presigner, bucket, multipart, uploaders, sse, clock, DEFAULT_CALL_TIMEOUT);
    }

    /** @param callTimeout the deadline of one attempt of a call that streams no caller body ({@code REELVAULT_STORAGE_S3_CALL_TIMEOUT}) */
    S3ObjectStore(
            S3AsyncClient s3,
            S3Presigner presigner,
            String bucket,
            Multipart multipart,
            ExecutorService uploaders,
            ServerSideEncryption sse,
            Clock clock,
            Duration callTimeout) {
        S3Bucket target = new S3Bucket(s3, bucket, sse, clock, callTimeout);
        this.multipart = new MultipartUploads(target, multipart, uploaders);
        this.deletes = new ObjectDeletes(target);
        this.writes = new ObjectWrites(target, this.multipart, deletes);
        this.reads = new ObjectReads(target);
        this.presigned = new PresignedUrls(target, presigner);
        this.abandoned = new AbandonedUploads(target, this.multipart);
        this.resumable = new S3ResumableWrites(
                target,
                multipart.partSize(),
                multipart.partConcurrency(),
                this.multipart.budget,
                this.multipart.arrays,
                uploaders);
        this.direct = new DirectUploads(target, presigner, this.presigned, reads);
        this.copies = new ObjectCopies(target, reads, deletes);
    }

    /** Besides the interfaces it implements: {@link DirectMultipart}, {@link ResumableWrites} ({@link S3ResumableWrites}), {@link ObjectMoves}
     * ({@link ObjectCopies}). */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == DirectMultipart.class) {
            return Optional.of(type.cast(direct));
        }
        if (type == ResumableWrites.class) {
            return Optional.of(type.cast(resumable));
        }
        if (type == ObjectMoves.class) {
            return Optional.of(type.cast(copies));
        }
        return ObjectStore.super.capability(type);
    }

    /** Bytes of the buffer budget no upload holds now (all of it when no upload is in flight). */
    public long bufferBudgetFree() {
        return multipart.budget.free();
    }

    /** The whole buffer budget, in bytes. */
    public long bufferBudget() {
        return multipart.budget.total();
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        return writes.put(key, body, length, contentType, null);
    }

    /**
     * S3's conditional writes ({@link ConditionalWrites}): a lost condition, or an If-Match that finds no object, is
     * a {@link PreconditionFailedException}, with nothing written.
     */
    @Override
    public Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType) {
        return ConditionalWrites.goneIsLost(writes.put(key, body, length, contentType, expectedEtag), expectedEtag);
    }

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return reads.get(key, range);
    }

    /** A HEAD's bodiless 404 is told apart from a missing bucket: see {@link ObjectReads#head}. */
    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return reads.head(key);
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return deletes.delete(key);
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        return deletes.deleteMany(keys);
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return reads.list(prefix, startAfter);
    }

    /** Lists one key of {@code uploads/} (see {@link ObjectReads#probe}). */
    @Override
    public Uni<Void> probe() {
        return reads.probe();
    }

    @Override
    public String describe() {
        return "s3";
    }

    @Override
    public SignedUrl sign(String method, ObjectKey key, Duration expiresIn, Map<String, String> headers) {
        return presigned.sign(method, key, expiresIn, headers);
    }

    /** See {@link AbandonedUploads#removeAbandoned}. Blocking. */
    @Override
    public int removeAbandoned(Instant inactiveSince) {
        return abandoned.removeAbandoned(inactiveSince);
    }

    /** See {@link MultipartUploads#abortAll}. Blocking; idempotent. */
    @Override
    public int abortAll() {
        return multipart.abortAll();
    }

    /** The arrays kept for the next part buffers of multipart uploads and tus appends ({@link PartChunks}). */
    int partArraysKept() {
        return multipart.arrays.kept();
    }
}
