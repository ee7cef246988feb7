package io.reelvault.storage.s3;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.Area;
import io.reelvault.model.ByteRange;
import io.reelvault.model.FileType;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.ResolvedRange;
import io.reelvault.storage.IncompleteWrites;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.ReadinessProbe;
import io.reelvault.storage.SignedUrls;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import mutiny.zero.flow.adapters.AdaptersToReactiveStreams;
import org.reactivestreams.Subscriber;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 backend on the async client. Known lengths below {@link #REPLAYABLE_MAX} are buffered into one PutObject the
 * SDK may retry; known lengths from there to the multipart threshold stream as one PutObject sent once (a throttled
 * one is {@code storage_unavailable}, for the caller to retry); larger or unknown lengths go multipart: parts of {@code partSize} bytes (growing so
 * that no object needs more than 10,000 parts), up to {@code partConcurrency} in flight, their
 * buffers bounded per upload and by a budget shared by all uploads ({@link BufferBudget}: taken as bytes arrive,
 * never before the first one, and handed out so that no set of uploads can deadlock); any failure or cancellation
 * aborts the multipart upload. Every write requests SSE-S3. The SHA-256 of every object is computed
 * while it streams. The multipart uploads still running when the service stops are aborted before it exits
 * ({@link PendingWrites}); one whose process died before it could abort it is found by {@link #removeAbandoned}
 * ({@link IncompleteWrites}).
 */
public final class S3ObjectStore implements ObjectStore, ReadinessProbe, SignedUrls, IncompleteWrites, PendingWrites {
    static final int MAX_PARTS = 10_000;
    static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    private static final int DELETE_BATCH = 1000;
    private static final int BODY_WINDOW = 16;
    /** Part buffers grow (and take budget) by this much at a time. */
    static final int CHUNK = 64 * 1024;

    private static final Duration ABORT_WAIT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long a stop waits for the multipart uploads it cancelled to abort (past it the incomplete-write sweep will). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private static final int ABORT_RETRIES = 16;
    /** How long a bucket seen to exist is believed to: a HEAD's 404 within it is a missing key without asking. */
    static final Duration BUCKET_SEEN_FOR = Duration.ofSeconds(2);
    /**
     * For a PutObject whose body is the caller's stream: it can be sent once only, so the SDK must not retry it (its
     * second subscription failed as an interrupted body, 400; a throttled or reset PutObject is now 503
     * {@code storage_unavailable} with {@code Retry-After}, and the caller sends it again). Parts and bodies buffered
     * here are replayable and keep the SDK's retries.
     */
    /** Bodies of a known length below this are buffered before their PutObject, so that the SDK can retry it. */
    static final long REPLAYABLE_MAX = 1024 * 1024;

    private static final long MIB = 1024 * 1024;
    static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final SdkPlugin NO_RETRIES =
            config -> config.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
    private static final java.util.concurrent.ScheduledExecutorService ABORT_SCHEDULER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "reelvault-s3-abort-retry");
                t.setDaemon(true);
                return t;
            });
    /** The conditional header a presigned PUT carries, so that it can only create its object, never replace it. */
    static final String CREATE_ONLY_HEADER = "If-None-Match";

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    /** Multipart settings: all sizes in bytes. */
    public record Multipart(long threshold, long partSize, int partConcurrency, long bufferBudget) {}

    private final S3AsyncClient s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final Multipart multipart;
    private final ExecutorService uploaders;
    private final BufferBudget budget;
    private final ServerSideEncryption sse;
    private final Clock clock;
    private final Duration callTimeout;
    /** When the bucket was last seen to exist ({@link System#nanoTime()}; 0: never): see {@link #head}. */
    private volatile long bucketSeenAt;
    /** The multipart uploads this process is running: never abandoned, however slow; aborted at stop. */
    private final Set<MultipartUpload> running = ConcurrentHashMap.newKeySet();

    private volatile boolean stopped;

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
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.multipart = multipart;
        this.uploaders = uploaders;
        this.budget = new BufferBudget(multipart.bufferBudget());
        this.sse = sse;
        this.clock = clock;
        this.callTimeout = callTimeout;
    }

    /** The per-attempt deadline of a call that streams no caller body: {@code REELVAULT_STORAGE_S3_CALL_TIMEOUT}. */
    private AwsRequestOverrideConfiguration deadline() {
        return AwsRequestOverrideConfiguration.builder()
                .apiCallAttemptTimeout(callTimeout)
                .build();
    }

    /** The deadline of one attempt to send {@code bytes} buffered here: the call's, plus one second per MiB. */
    private AwsRequestOverrideConfiguration deadline(long bytes) {
        return AwsRequestOverrideConfiguration.builder()
                .apiCallAttemptTimeout(callTimeout.plusSeconds((bytes + MIB - 1) / MIB))
                .build();
    }

    /** Bytes of the buffer budget no upload holds now (all of it when no upload is in flight). */
    public long bufferBudgetFree() {
        return budget.free();
    }

    /** The whole buffer budget, in bytes. */
    public long bufferBudget() {
        return budget.total();
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        if (streamsOnce(length)) {
            return putSingle(key, body, length.getAsLong(), contentType, null);
        }
        return putMultipart(key, body, length, contentType, null);
    }

    /**
     * S3's conditional writes: {@code If-Match: {etag}} or {@code If-None-Match: *} on the PutObject, or on the
     * CompleteMultipartUpload of a multipart upload (AWS S3 since 2024; MinIO; s3proxy 4). The server answers
     * {@code 412 PreconditionFailed}, or {@code 409 ConditionalRequestConflict} while another conditional write of
     * the key is in progress, or {@code 404} when If-Match finds no object: each is a
     * {@link PreconditionFailedException}, with nothing written (a multipart upload is aborted).
     */
    @Override
    public Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType) {
        Uni<PutResult> put = streamsOnce(length)
                ? putSingle(key, body, length.getAsLong(), contentType, expectedEtag)
                : putMultipart(key, body, length, contentType, expectedEtag);
        return put.onFailure(e -> expectedEtag.isPresent()
                        && e instanceof ReelvaultException r
                        && r.code() == ErrorCode.NOT_FOUND)
                .transform(e -> new PreconditionFailedException("the object is gone", e));
    }

    /**
     * Whether the body streams straight into one PutObject, sent once (no SDK retry): a known length from
     * {@link #REPLAYABLE_MAX} to the multipart threshold. Smaller bodies (metadata documents, thumbnails, small uploads)
     * are buffered first, within the buffer budget, into one PutObject that the SDK may send again when S3 throttles
     * or a connection breaks; larger ones and unknown lengths go multipart, whose parts are buffered and retried.
     */
    private boolean streamsOnce(OptionalLong length) {
        return length.isPresent() && length.getAsLong() >= REPLAYABLE_MAX && length.getAsLong() < multipart.threshold();
    }

    /** Puts {@code If-Match} or {@code If-None-Match: *} on a PutObject; {@code condition} null: none. */
    private static void condition(PutObjectRequest.Builder b, Optional<String> condition) {
        if (condition != null) {
            b.ifMatch(condition.orElse(null)).ifNoneMatch(condition.isPresent() ? null : "*");
        }
    }

    private Uni<PutResult> putSingle(
            ObjectKey key, Multi<ByteBuffer> body, long length, String contentType, Optional<String> condition) {
        return Uni.createFrom()
                .deferred(() -> {
                    if (stopped) {
                        throw stopping();
                    }
                    MessageDigest sha = sha256();
                    AtomicLong seen = new AtomicLong();
                    java.util.concurrent.atomic.AtomicReference<Throwable> bodyFailure =
                            new java.util.concurrent.atomic.AtomicReference<>();
                    Multi<ByteBuffer> checked = body.onItem()
                            .invoke(b -> {
                                sha.update(b.duplicate());
                                if (seen.addAndGet(b.remaining()) > length) {
                                    throw lengthMismatch(length);
                                }
                            })
                            .onCompletion()
                            .invoke(() -> {
                                if (seen.get() != length) {
                                    throw lengthMismatch(length);
                                }
                            })
                            .onFailure()
                            .invoke(bodyFailure::set);
                    AsyncRequestBody requestBody = new OneShotBody(new KnownLengthBody(checked, length, contentType));
                    return Uni.createFrom()
                            .completionStage(() -> s3.putObject(
                                    b -> {
                                        b.bucket(bucket)
                                                .key(key.value())
                                                .contentType(contentType)
                                                .contentLength(length)
                                                .serverSideEncryption(sse)
                                                .overrideConfiguration(o -> o.addPlugin(NO_RETRIES));
                                        condition(b, condition);
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
                                                    new ObjectInfo(key, length, clock.instant(), r.eTag(), contentType),
                                                    HexFormat.of().formatHex(sha.digest())));
                                }
                                // the body failed or ended short, yet the server answered 200: a lax server (s3proxy
                                // keeps
                                // what arrived before the connection closed; S3 answers IncompleteBody) stored a
                                // truncated
                                // object, which must not stay
                                Throwable cause = failed != null ? failed : lengthMismatch(length);
                                return delete(key)
                                        .onFailure()
                                        .recoverWithNull()
                                        .chain(v -> Uni.createFrom().<PutResult>failure(cause));
                            });
                })
                .onFailure()
                .transform(S3Errors::translate);
    }

    private Uni<PutResult> putMultipart(
            ObjectKey key,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType,
            Optional<String> condition) {
        return Uni.createFrom().<PutResult>emitter(emitter -> {
            BlockingBody source = new BlockingBody(BODY_WINDOW);
            MultipartUpload upload = new MultipartUpload(key, source, length, contentType);
            upload.condition = condition;
            running.add(upload);
            if (stopped) { // abortAll may have looked before the add: never start an upload it did not see
                running.remove(upload);
                emitter.fail(stopping());
                return;
            }
            emitter.onTermination(() -> {
                if (!upload.isDone()) {
                    upload.cancel();
                }
            });
            body.subscribe().withSubscriber(source);
            uploaders.execute(() -> {
                try {
                    emitter.complete(upload.run());
                } catch (Throwable e) {
                    emitter.fail(S3Errors.translate(e));
                }
            });
        });
    }

    /** One multipart upload, run by one uploader thread from start to complete-or-abort. */
    private final class MultipartUpload {
        private final ObjectKey key;
        private final BlockingBody source;
        private final OptionalLong length;
        private final String contentType;
        private final MessageDigest sha = sha256();
        private final Semaphore inFlight = new Semaphore(multipart.partConcurrency());
        private volatile boolean cancelled;
        private volatile boolean done;
        /** S3's id of this upload, once created. */
        private volatile String uploadId;

        private long total;
        private ByteBuffer pendingTail;
        /** The condition of {@link #putIf}, on the PutObject or the CompleteMultipartUpload; null: none. */
        Optional<String> condition;

        MultipartUpload(ObjectKey key, BlockingBody source, OptionalLong length, String contentType) {
            this.key = key;
            this.source = source;
            this.length = length;
            this.contentType = contentType;
        }

        boolean isDone() {
            return done;
        }

        /** Stops reading; the uploader notices within {@link #POLL} wherever it waits, and aborts. No interrupts:
         * they would also break the abort request itself. */
        void cancel() {
            cancelled = true;
            source.cancel();
        }

        PutResult run() throws Exception {
            try {
                return upload();
            } finally {
                done = true;
                running.remove(this);
            }
        }

        private void acquire(Semaphore semaphore, int permits) throws InterruptedException {
            while (!semaphore.tryAcquire(permits, POLL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (cancelled) {
                    throw new java.util.concurrent.CancellationException("upload cancelled");
                }
            }
        }

        private PutResult upload() throws Exception {
            int partNumber = 1;
            PartBuffer current = fill(partSize(partNumber));
            if (current.length() < current.budget().size()
                    && (length.isEmpty() || length.getAsLong() < REPLAYABLE_MAX)) {
                // the whole body fitted in the first part: one PutObject, no multipart upload
                try {
                    checkLength();
                    PartBuffer whole = current;
                    var r = s3.putObject(
                                    b -> {
                                        b.bucket(bucket)
                                                .key(key.value())
                                                .contentType(contentType)
                                                .contentLength(whole.length())
                                                .serverSideEncryption(sse)
                                                .overrideConfiguration(deadline(whole.length()));
                                        condition(b, condition);
                                    },
                                    whole.body(contentType))
                            .get();
                    return new PutResult(
                            new ObjectInfo(key, whole.length(), clock.instant(), r.eTag(), contentType), hex());
                } finally {
                    current.budget().release();
                }
            }
            String uploadId;
            try {
                if (cancelled) {
                    throw new java.util.concurrent.CancellationException("upload cancelled");
                }
                uploadId = s3.createMultipartUpload(b -> b.bucket(bucket)
                                .key(key.value())
                                .contentType(contentType)
                                .serverSideEncryption(sse)
                                .overrideConfiguration(deadline()))
                        .get()
                        .uploadId();
            } catch (Exception | Error e) {
                current.budget().release();
                throw e;
            }
            List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
            this.uploadId = uploadId;
            try {
                while (true) {
                    failFast(parts);
                    acquire(inFlight, 1);
                    PartBuffer sending = current;
                    current =
                            null; // the part in flight belongs to the SDK now; its budget is given back when it is sent
                    parts.add(uploadPart(uploadId, partNumber, sending));
                    if (sending.length() < sending.budget().size() || total == length.orElse(-1)) {
                        break;
                    }
                    partNumber++;
                    if (partNumber > MAX_PARTS) {
                        throw new ReelvaultException(
                                ErrorCode.PAYLOAD_TOO_LARGE, "the body needs more than 10,000 parts");
                    }
                    current = fill(partSize(partNumber));
                    if (current.length() == 0) {
                        current.budget().release();
                        current = null;
                        break;
                    }
                }
                checkLength();
                List<CompletedPart> completed = new ArrayList<>();
                for (CompletableFuture<CompletedPart> f : parts) {
                    completed.add(f.get());
                }
                var r = s3.completeMultipartUpload(b -> b.bucket(bucket)
                                .key(key.value())
                                .uploadId(uploadId)
                                .multipartUpload(m -> m.parts(completed))
                                .ifMatch(condition == null ? null : condition.orElse(null))
                                .ifNoneMatch(condition == null || condition.isPresent() ? null : "*")
                                .overrideConfiguration(deadline(total)))
                        .get(); // S3 may take a while to assemble a large object
                return new PutResult(new ObjectInfo(key, total, clock.instant(), r.eTag(), contentType), hex());
            } catch (Exception | Error e) {
                if (current != null) {
                    current.budget().release();
                }
                // let parts in flight settle first, or one finishing after the abort could revive the upload
                parts.forEach(f -> awaitQuietly(f));
                abort(key, uploadId, 0);
                throw e;
            }
        }

        private CompletableFuture<CompletedPart> uploadPart(String uploadId, int number, PartBuffer data) {
            data.budget().ship();
            CompletableFuture<CompletedPart> sent;
            try {
                sent = s3.uploadPart(
                                b -> b.bucket(bucket)
                                        .key(key.value())
                                        .uploadId(uploadId)
                                        .partNumber(number)
                                        .contentLength(data.length())
                                        .overrideConfiguration(deadline(data.length())),
                                data.body(contentType))
                        .thenApply(r -> CompletedPart.builder()
                                .partNumber(number)
                                .eTag(r.eTag())
                                .build());
            } catch (RuntimeException e) {
                inFlight.release();
                data.budget().sent();
                throw e;
            }
            return sent.whenComplete((r, e) -> {
                inFlight.release();
                data.budget().sent();
            });
        }

        private void failFast(List<CompletableFuture<CompletedPart>> parts) throws Exception {
            for (CompletableFuture<CompletedPart> f : parts) {
                if (f.isCompletedExceptionally()) {
                    f.get();
                }
            }
        }

        /**
         * Reads up to {@code size} bytes of the body (fewer only at its end) into chunks of budget taken as they arrive:
         * nothing is taken before the first byte. On failure the part's budget is given back.
         */
        private PartBuffer fill(long wanted) throws InterruptedException {
            BufferBudget.Part part = budget.part(wanted);
            long size = part.size();
            List<ByteBuffer> chunks = new ArrayList<>();
            byte[] chunk = null;
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
                        if (chunk == null || inChunk == chunk.length) {
                            int n = (int) Math.min(CHUNK, size - at);
                            part.grow(n, POLL.toMillis(), () -> cancelled);
                            chunk = new byte[n];
                            chunks.add(ByteBuffer.wrap(chunk));
                            inChunk = 0;
                        }
                        int n = (int) Math.min(b.remaining(), chunk.length - inChunk);
                        ByteBuffer slice = b.duplicate();
                        slice.limit(slice.position() + n);
                        sha.update(slice.duplicate());
                        slice.get(chunk, inChunk, n);
                        b.position(b.position() + n);
                        inChunk += n;
                        at += n;
                        total += n;
                        if (length.isPresent() && total > length.getAsLong()) {
                            throw lengthMismatch(length.getAsLong());
                        }
                    }
                    if (b.hasRemaining()) {
                        pendingTail = b;
                    }
                }
            } catch (InterruptedException | RuntimeException | Error e) {
                part.release();
                throw e;
            }
            if (chunk != null) {
                chunks.set(chunks.size() - 1, ByteBuffer.wrap(chunk, 0, inChunk));
            }
            return new PartBuffer(part, chunks, at);
        }

        private void checkLength() {
            if (length.isPresent() && total != length.getAsLong()) {
                throw lengthMismatch(length.getAsLong());
            }
        }

        /** Parts grow so that a known length fits in 10,000 parts; unknown lengths double every 1,000 parts. */
        private long partSize(int partNumber) {
            long base = multipart.partSize();
            if (length.isPresent()) {
                long needed = (length.getAsLong() + MAX_PARTS - 1) / MAX_PARTS;
                return Math.min(MAX_PART_SIZE, Math.max(base, needed));
            }
            return Math.min(MAX_PART_SIZE, base << Math.min(9, (partNumber - 1) / 1000));
        }

        /**
         * Aborts the multipart upload. When S3 cannot be reached (the likely reason the upload failed),
         * the abort is retried in the background with growing delays for about ten minutes; past that,
         * the bucket's lifecycle rule aborts it after a day.
         */
        private void abort(ObjectKey key, String uploadId, int attempt) {
            Optional<Throwable> failed;
            try {
                failed = awaitQuietly(s3.abortMultipartUpload(b ->
                        b.bucket(bucket).key(key.value()).uploadId(uploadId).overrideConfiguration(deadline())));
            } catch (RuntimeException e) {
                failed = Optional.of(e);
            }
            if (failed.isPresent()
                    && !S3Errors.isNotFound(failed.get())
                    && !S3Errors.isMissingBucket(failed.get())
                    && attempt < ABORT_RETRIES) {
                long delay = Math.min(60_000, 500L << attempt);
                ABORT_SCHEDULER.schedule(
                        () -> uploaders.execute(() -> abort(key, uploadId, attempt + 1)),
                        delay,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }

        /** Waits for a request to finish, ignoring interrupts (a cancel must not skip the clean-up); returns its failure. */
        private Optional<Throwable> awaitQuietly(CompletableFuture<?> f) {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        f.get(ABORT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                        return Optional.empty();
                    } catch (InterruptedException ie) {
                        interrupted = true;
                    } catch (ExecutionException
                            | java.util.concurrent.TimeoutException
                            | java.util.concurrent.CancellationException failed) {
                        return Optional.of(failed);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.interrupted();
                }
            }
        }

        private String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    /**
     * Aborts the multipart uploads under the service's areas ({@code uploads/}, {@code generations/}, ...) that this
     * process is not running and that received nothing since {@code inactiveSince}: initiated before it, and their
     * newest part (if any) uploaded before it. A process killed in the middle of an upload leaves exactly that; the
     * activity check keeps a slow upload of another replica alive. Uploads of other keys in the bucket are not ours
     * and stay. Blocking.
     */
    @Override
    public int removeAbandoned(Instant inactiveSince) {
        int aborted = 0;
        try {
            for (Area area : Area.values()) {
                List<Unfinished> uploads = new ArrayList<>();
                s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(area.segment() + "/"))
                        .subscribe((ListMultipartUploadsResponse page) -> page.uploads()
                                .forEach(u -> uploads.add(new Unfinished(u.key(), u.uploadId(), u.initiated()))))
                        .get();
                for (Unfinished u : uploads) {
                    boolean ours = running.stream().anyMatch(r -> u.uploadId().equals(r.uploadId));
                    if (ours
                            || u.initiated() == null
                            || !u.initiated().isBefore(inactiveSince)
                            || !lastPartBefore(u, inactiveSince)) {
                        continue;
                    }
                    try {
                        s3.abortMultipartUpload(
                                        b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()))
                                .get();
                        aborted++;
                    } catch (ExecutionException e) {
                        if (!S3Errors.isNotFound(
                                e.getCause())) { // aborted meanwhile (by its own process, or another sweep)
                            throw e;
                        }
                    }
                }
            }
        } catch (ExecutionException e) {
            Throwable failure = S3Errors.translate(e.getCause());
            throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException(
                    "interrupted while removing abandoned multipart uploads");
        }
        return aborted;
    }

    /**
     * Cancels every multipart upload still running and waits (up to {@link #STOP_WAIT}) until each has aborted its
     * upload in S3, so that none outlives the process; later writes fail with {@code shutting_down}. A PutObject in
     * flight needs nothing: S3 stores nothing of a request whose body never ended. Blocking; idempotent.
     */
    @Override
    public int abortAll() {
        stopped = true;
        List<MultipartUpload> cut = running.stream().filter(u -> !u.isDone()).toList();
        cut.forEach(MultipartUpload::cancel);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (MultipartUpload u : cut) {
            while (!u.isDone() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return cut.size();
                }
            }
        }
        return cut.size();
    }

    private static ReelvaultException stopping() {
        return new ReelvaultException(
                ErrorCode.SHUTTING_DOWN,
                "the service stopped before the upload completed; nothing of it was stored",
                null,
                Map.of("Retry-After", "1"));
    }

    /** A multipart upload that S3 lists as in progress. */
    private record Unfinished(String key, String uploadId, Instant initiated) {}

    /** Whether every part of the upload (none included) was uploaded before {@code instant}. */
    private boolean lastPartBefore(Unfinished u, Instant instant) throws ExecutionException, InterruptedException {
        AtomicLong newest = new AtomicLong(Long.MIN_VALUE);
        try {
            s3.listPartsPaginator(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()))
                    .parts()
                    .subscribe(p -> newest.accumulateAndGet(
                            p.lastModified() == null
                                    ? Long.MAX_VALUE
                                    : p.lastModified().toEpochMilli(),
                            Math::max))
                    .get();
        } catch (ExecutionException e) {
            if (S3Errors.isNotFound(e.getCause())) {
                return false; // completed or aborted meanwhile
            }
            throw e;
        }
        return newest.get() < instant.toEpochMilli();
    }

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return Uni.createFrom()
                .completionStage(() -> s3.getObject(
                        b -> b.bucket(bucket)
                                .key(key.value())
                                .range(range.map(ByteRange::toString).orElse(null))
                                .overrideConfiguration(deadline()),
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
    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return Uni.createFrom()
                .completionStage(() ->
                        s3.headObject(b -> b.bucket(bucket).key(key.value()).overrideConfiguration(deadline())))
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

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return Uni.createFrom()
                .completionStage(() ->
                        s3.deleteObject(b -> b.bucket(bucket).key(key.value()).overrideConfiguration(deadline())))
                .replaceWithVoid()
                .onFailure(S3Errors::isNotFound)
                .recoverWithNull()
                .onFailure()
                .transform(S3Errors::translate);
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        List<ObjectKey> all = List.copyOf(keys);
        List<List<ObjectKey>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += DELETE_BATCH) {
            batches.add(all.subList(i, Math.min(all.size(), i + DELETE_BATCH)));
        }
        return Multi.createFrom()
                .iterable(batches)
                .onItem()
                .transformToUniAndConcatenate(batch -> Uni.createFrom()
                        .completionStage(() -> s3.deleteObjects(b -> b.bucket(bucket)
                                .overrideConfiguration(deadline())
                                .delete(Delete.builder()
                                        .quiet(true)
                                        .objects(batch.stream()
                                                .map(k -> ObjectIdentifier.builder()
                                                        .key(k.value())
                                                        .build())
                                                .toList())
                                        .build())))
                        .map(r -> {
                            if (r.hasErrors() && !r.errors().isEmpty()) {
                                throw new ReelvaultException(
                                        ErrorCode.STORAGE_REFUSED,
                                        "the storage backend did not delete "
                                                + r.errors().size() + " objects");
                            }
                            return r;
                        }))
                .collect()
                .last()
                .replaceWithVoid()
                .onFailure()
                .transform(S3Errors::translate);
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return Multi.createFrom()
                .deferred(() -> Multi.createFrom()
                        .publisher(AdaptersToFlow.publisher(s3.listObjectsV2Paginator(b -> b.bucket(bucket)
                                        .prefix(prefix.value().isEmpty() ? null : prefix.value())
                                        .startAfter(
                                                startAfter.map(ObjectKey::value).orElse(null))
                                        .overrideConfiguration(deadline()))
                                .contents())))
                .select()
                .where(o -> ObjectKey.isValid(o.key()))
                .map(this::info)
                .onFailure()
                .transform(S3Errors::translate);
    }

    private ObjectInfo info(S3Object o) {
        ObjectKey key = ObjectKey.parse(o.key());
        return new ObjectInfo(key, o.size(), o.lastModified(), o.eTag(), FileType.mediaTypeOf(key));
    }

    /**
     * Lists one key of {@code uploads/}: the cheapest call the task role may make (HeadBucket needs
     * an unconditioned {@code s3:ListBucket}, which deploy/iam's least-privilege policy does not grant).
     */
    @Override
    public Uni<Void> probe() {
        return Uni.createFrom()
                .completionStage(() -> s3.listObjectsV2(
                        b -> b.bucket(bucket).prefix("uploads/").maxKeys(1).overrideConfiguration(deadline())))
                .invoke(() -> bucketSeenAt = Math.max(1, System.nanoTime()))
                .replaceWithVoid()
                .onFailure()
                .transform(S3Errors::translate);
    }

    @Override
    public String describe() {
        return "s3";
    }

    @Override
    public SignedUrl sign(String method, ObjectKey key, Duration expiresIn, Map<String, String> headers) {
        Duration valid = capToCredentials(expiresIn);
        URI url;
        Map<String, String> required = new java.util.HashMap<>();
        if ("PUT".equals(method)) {
            if (headers.containsKey("Content-Type")) {
                required.put("Content-Type", headers.get("Content-Type"));
            }
            if (sse != null) {
                required.put("x-amz-server-side-encryption", sse.toString());
            }
            // create-only: a second PUT of the same URL (or any PUT once the object exists) fails with 412
            required.put(CREATE_ONLY_HEADER, "*");
            url = URI.create(presigner
                    .presignPutObject(p -> p.signatureDuration(valid)
                            .putObjectRequest(b -> b.bucket(bucket)
                                    .key(key.value())
                                    .contentType(headers.get("Content-Type"))
                                    .contentLength(Optional.ofNullable(headers.get("Content-Length"))
                                            .map(Long::valueOf)
                                            .orElse(null))
                                    .serverSideEncryption(sse)
                                    .ifNoneMatch("*")))
                    .url()
                    .toString());
        } else {
            url = URI.create(presigner
                    .presignGetObject(p -> p.signatureDuration(valid)
                            .getObjectRequest(b -> b.bucket(bucket)
                                    .key(key.value())
                                    .responseContentDisposition(headers.get("Content-Disposition"))
                                    .responseContentType(headers.get("Content-Type"))))
                    .url()
                    .toString());
        }
        return new SignedUrl(url, valid, Map.copyOf(required));
    }

    /** A presigned URL dies with the credentials that signed it: never promise longer. */
    private Duration capToCredentials(Duration wanted) {
        try {
            AwsCredentials credentials = (AwsCredentials) s3.serviceClientConfiguration()
                    .credentialsProvider()
                    .resolveIdentity()
                    .join();
            Optional<Instant> expiry = credentials.expirationTime();
            if (expiry.isPresent()) {
                Duration left = Duration.between(clock.instant(), expiry.get()).minusSeconds(60);
                if (left.compareTo(wanted) < 0) {
                    return left.isNegative() ? Duration.ZERO : left;
                }
            }
        } catch (RuntimeException e) {
            // the signer resolves credentials itself and will fail with a clear error
        }
        return wanted;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ReelvaultException lengthMismatch(long declared) {
        return new ReelvaultException(ErrorCode.LENGTH_MISMATCH, "the body is not the declared " + declared + " bytes");
    }

    /**
     * The bytes of one part (or of a whole small body): chunks that are never written again once filled, so they are
     * sent without a copy, from the start on every subscription (a retried request).
     */
    private record PartBuffer(BufferBudget.Part budget, List<ByteBuffer> chunks, long length) {
        AsyncRequestBody body(String contentType) {
            return new KnownLengthBody(
                    Multi.createFrom().iterable(chunks).map(ByteBuffer::asReadOnlyBuffer), length, contentType);
        }
    }

    /** A streaming request body whose length is announced up front (S3 needs Content-Length). */
    private static final class KnownLengthBody implements AsyncRequestBody {
        private final org.reactivestreams.Publisher<ByteBuffer> publisher;
        private final long length;
        private final String contentType;

        KnownLengthBody(Multi<ByteBuffer> body, long length, String contentType) {
            this.publisher = AdaptersToReactiveStreams.publisher(body);
            this.length = length;
            this.contentType = contentType;
        }

        @Override
        public Optional<Long> contentLength() {
            return Optional.of(length);
        }

        @Override
        public String contentType() {
            return contentType;
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> s) {
            publisher.subscribe(s);
        }
    }
}
