package io.reelvault.storage.s3;

import io.reelvault.common.DaemonThreads;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.PutResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One multipart upload, run by one uploader thread from start to complete-or-abort. The body is cut into parts of
 * {@code partSize} bytes (growing so that no object needs more than {@link #MAX_PARTS} parts; {@link PartReader}),
 * up to {@code partConcurrency} of them in flight. A body that fits in its first part and is smaller than
 * {@link ObjectWrites#REPLAYABLE_MAX} (or of unknown length) becomes one buffered PutObject, which the SDK may retry.
 * Any failure or cancellation aborts the upload; an abort S3 refused is retried in the background.
 */
final class MultipartUpload {
    static final int MAX_PARTS = 10_000;
    static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    /** How often a waiting uploader looks whether its upload was cancelled. */
    static final Duration POLL = Duration.ofMillis(100);

    private static final Duration ABORT_WAIT = Duration.ofSeconds(60);
    private static final int ABORT_RETRIES = 16;
    private static final ScheduledExecutorService ABORT_SCHEDULER =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("reelvault-s3-abort-retry"));

    private final MultipartUploads uploads;
    private final S3Bucket bucket;
    private final ObjectKey key;
    private final BlockingBody source;
    private final OptionalLong length;
    private final String contentType;
    /** The condition of a conditional write, on the PutObject or the CompleteMultipartUpload; null: none. */
    private final Optional<String> condition;

    private final PartReader reader;
    private final Semaphore inFlight;
    private volatile boolean cancelled;
    private volatile boolean done;
    /** S3's id of this upload, once created. */
    private volatile String uploadId;

    MultipartUpload(
            MultipartUploads uploads,
            ObjectKey key,
            BlockingBody source,
            OptionalLong length,
            String contentType,
            Optional<String> condition) {
        this.uploads = uploads;
        this.bucket = uploads.bucket;
        this.key = key;
        this.source = source;
        this.length = length;
        this.contentType = contentType;
        this.condition = condition;
        this.reader = new PartReader(source, length, uploads.budget, uploads.arrays, POLL.toMillis(), () -> cancelled);
        this.inFlight = new Semaphore(uploads.settings.partConcurrency());
    }

    boolean isDone() {
        return done;
    }

    /** S3's id of this upload; null before it was created (and for a body sent as one PutObject). */
    String uploadId() {
        return uploadId;
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
            uploads.finished(this);
        }
    }

    private void acquire(Semaphore semaphore, int permits) throws InterruptedException {
        while (!semaphore.tryAcquire(permits, POLL.toMillis(), TimeUnit.MILLISECONDS)) {
            if (cancelled) {
                throw new CancellationException("upload cancelled");
            }
        }
    }

    private PutResult upload() throws Exception {
        int partNumber = 1;
        PartBuffer current = reader.fill(partSize(partNumber));
        if (current.length() < current.budget().size()
                && (length.isEmpty() || length.getAsLong() < ObjectWrites.REPLAYABLE_MAX)) {
            // the whole body fitted in the first part: one PutObject, no multipart upload
            try {
                reader.checkLength();
                PutResult put = putWhole(current);
                recycle(current);
                return put;
            } finally {
                current.budget().release();
            }
        }
        String uploadId;
        try {
            if (cancelled) {
                throw new CancellationException("upload cancelled");
            }
            uploadId = bucket.s3()
                    .createMultipartUpload(b -> b.bucket(bucket.name())
                            .key(key.value())
                            .contentType(contentType)
                            .serverSideEncryption(bucket.sse())
                            .overrideConfiguration(bucket.deadline()))
                    .get()
                    .uploadId();
        } catch (Exception | Error e) {
            current.budget().release();
            recycle(current); // never sent
            throw e;
        }
        List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
        this.uploadId = uploadId;
        try {
            while (true) {
                failFast(parts);
                acquire(inFlight, 1);
                PartBuffer sending = current;
                current = null; // the part in flight belongs to the SDK now; its budget is given back when it is sent
                parts.add(uploadPart(uploadId, partNumber, sending));
                if (sending.length() < sending.budget().size() || reader.reachedLength()) {
                    break;
                }
                partNumber++;
                if (partNumber > MAX_PARTS) {
                    throw new ReelvaultException(ErrorCode.PAYLOAD_TOO_LARGE, "the body needs more than 10,000 parts");
                }
                current = reader.fill(partSize(partNumber));
                if (current.length() == 0) {
                    current.budget().release();
                    recycle(current);
                    current = null;
                    break;
                }
            }
            reader.checkLength();
            List<CompletedPart> completed = new ArrayList<>();
            for (CompletableFuture<CompletedPart> f : parts) {
                completed.add(f.get());
            }
            long total = reader.total();
            var r = bucket.s3()
                    .completeMultipartUpload(b -> {
                        b.bucket(bucket.name())
                                .key(key.value())
                                .uploadId(uploadId)
                                .multipartUpload(m -> m.parts(completed))
                                .overrideConfiguration(bucket.deadline(total));
                        ConditionalWrites.on(b, condition);
                    })
                    .get(); // S3 may take a while to assemble a large object
            return new PutResult(
                    new ObjectInfo(key, total, bucket.clock().instant(), r.eTag(), contentType), reader.sha256());
        } catch (Exception | Error e) {
            if (current != null) { // read but never sent
                current.budget().release();
                recycle(current);
            }
            // let parts in flight settle first, or one finishing after the abort could revive the upload
            parts.forEach(f -> awaitQuietly(f));
            abort(uploadId, 0);
            throw e;
        }
    }

    /** The whole body, buffered in {@code whole}, as one PutObject that the SDK may send again. */
    private PutResult putWhole(PartBuffer whole) throws Exception {
        var r = bucket.s3()
                .putObject(
                        b -> {
                            b.bucket(bucket.name())
                                    .key(key.value())
                                    .contentType(contentType)
                                    .contentLength(whole.length())
                                    .serverSideEncryption(bucket.sse())
                                    .overrideConfiguration(bucket.deadline(whole.length()));
                            ConditionalWrites.on(b, condition);
                        },
                        whole.body(contentType))
                .get();
        return new PutResult(
                new ObjectInfo(key, whole.length(), bucket.clock().instant(), r.eTag(), contentType), reader.sha256());
    }

    private CompletableFuture<CompletedPart> uploadPart(String uploadId, int number, PartBuffer data) {
        data.budget().ship();
        CompletableFuture<CompletedPart> sent;
        try {
            sent = bucket.s3()
                    .uploadPart(
                            b -> b.bucket(bucket.name())
                                    .key(key.value())
                                    .uploadId(uploadId)
                                    .partNumber(number)
                                    .contentLength(data.length())
                                    .overrideConfiguration(bucket.deadline(data.length())),
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
            if (e == null) { // S3 has the whole part: no request reads these arrays any more
                recycle(data);
            }
            inFlight.release();
            data.budget().sent();
        });
    }

    /**
     * Keeps the part's arrays for the next parts ({@link PartChunks}): only once S3 stored it, or when it was never
     * handed to the SDK. A part whose request failed keeps its arrays to itself (an abandoned attempt may still read
     * them); the collector takes them.
     */
    private void recycle(PartBuffer part) {
        uploads.arrays.giveBack(part.chunks());
    }

    private void failFast(List<CompletableFuture<CompletedPart>> parts) throws Exception {
        for (CompletableFuture<CompletedPart> f : parts) {
            if (f.isCompletedExceptionally()) {
                f.get();
            }
        }
    }

    /** Parts grow so that a known length fits in 10,000 parts; unknown lengths double every 1,000 parts. */
    private long partSize(int partNumber) {
        long base = uploads.settings.partSize();
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
    private void abort(String uploadId, int attempt) {
        Optional<Throwable> failed;
        try {
            failed = awaitQuietly(bucket.s3()
                    .abortMultipartUpload(b -> b.bucket(bucket.name())
                            .key(key.value())
                            .uploadId(uploadId)
                            .overrideConfiguration(bucket.deadline())));
        } catch (RuntimeException e) {
            failed = Optional.of(e);
        }
        if (failed.isPresent()
                && !S3Errors.isNotFound(failed.get())
                && !S3Errors.isMissingBucket(failed.get())
                && attempt < ABORT_RETRIES) {
            long delay = Math.min(60_000, 500L << attempt);
            ABORT_SCHEDULER.schedule(
                    () -> uploads.uploaders.execute(() -> abort(uploadId, attempt + 1)), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Waits for a request to finish, ignoring interrupts (a cancel must not skip the clean-up); returns its failure. */
    private static Optional<Throwable> awaitQuietly(CompletableFuture<?> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get(ABORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    return Optional.empty();
                } catch (InterruptedException ie) {
                    interrupted = true;
                } catch (ExecutionException | TimeoutException | CancellationException failed) {
                    return Optional.of(failed);
                }
            }
        } finally {
            if (interrupted) {
                Thread.interrupted();
            }
        }
    }
}
