package io.reelvault.storage.s3;

import io.reelvault.model.ObjectKey;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The multipart uploads this process runs: each on an uploader thread of its own from start to complete-or-abort
 * ({@link MultipartUpload}), their part buffers bounded by one {@link BufferBudget} shared by all. A running upload
 * is never taken for abandoned, however slow ({@link #runs}); at stop every one is cancelled and aborted
 * ({@link PendingWrites}), and later writes fail with {@code shutting_down}.
 */
final class MultipartUploads {
    /** How long a stop waits for the multipart uploads it cancelled to abort (past it the incomplete-write sweep will). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private static final int BODY_WINDOW = 16;

    final S3Bucket bucket;
    final S3ObjectStore.Multipart settings;
    final BufferBudget budget;
    /** The arrays of the part buffers, reused from part to part ({@link PartChunks}). */
    final PartChunks arrays;

    final ExecutorService uploaders;
    private final Set<MultipartUpload> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    MultipartUploads(S3Bucket bucket, S3ObjectStore.Multipart settings, ExecutorService uploaders) {
        this.bucket = bucket;
        this.settings = settings;
        this.budget = new BufferBudget(settings.bufferBudget());
        this.arrays = new PartChunks(budget.total());
        this.uploaders = uploaders;
    }

    /** Whether the service stopped: no write may start any more. */
    boolean stopped() {
        return stopped;
    }

    /** Whether {@code uploadId} is one of the uploads this process is running. */
    boolean runs(String uploadId) {
        return running.stream().anyMatch(u -> uploadId.equals(u.uploadId()));
    }

    /**
     * Writes the body on an uploader thread: one PutObject if it fits in the first part and is small, a multipart
     * upload otherwise. Cancelling the returned {@code Uni} cancels the upload, which then aborts.
     *
     * @param condition the condition of a conditional write ({@link ConditionalWrites}); null: none
     */
    Uni<PutResult> start(
            ObjectKey key,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType,
            Optional<String> condition) {
        return Uni.createFrom().<PutResult>emitter(emitter -> {
            BlockingBody source = new BlockingBody(BODY_WINDOW);
            MultipartUpload upload = new MultipartUpload(this, key, source, length, contentType, condition);
            running.add(upload);
            if (stopped) { // abortAll may have looked before the add: never start an upload it did not see
                running.remove(upload);
                emitter.fail(S3Errors.stopping());
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

    /** Called by an upload when it completed or aborted. */
    void finished(MultipartUpload upload) {
        running.remove(upload);
    }

    /**
     * Cancels every multipart upload still running and waits (up to {@link #STOP_WAIT}) until each has aborted its
     * upload in S3, so that none outlives the process; later writes fail with {@code shutting_down}. A PutObject in
     * flight needs nothing: S3 stores nothing of a request whose body never ended. Blocking; idempotent.
     */
    int abortAll() {
        stopped = true;
        List<MultipartUpload> cut = running.stream().filter(u -> !u.isDone()).toList();
        cut.forEach(MultipartUpload::cancel);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (MultipartUpload u : cut) {
            while (!u.isDone() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(MultipartUpload.POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return cut.size();
                }
            }
        }
        return cut.size();
    }
}
