package io.reelvault.storage.s3;

import io.reelvault.model.Area;
import io.reelvault.storage.IncompleteWrites;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;

/**
 * Finds and aborts the multipart uploads that a process died before it could abort ({@link IncompleteWrites}): it
 * lists the uploads in progress under each of the service's areas (ListMultipartUploads), and the parts of each
 * candidate (ListParts).
 */
final class AbandonedUploads {
    private final S3Bucket bucket;
    private final MultipartUploads running;

    AbandonedUploads(S3Bucket bucket, MultipartUploads running) {
        this.bucket = bucket;
        this.running = running;
    }

    /** A multipart upload that S3 lists as in progress. */
    private record Unfinished(String key, String uploadId, Instant initiated) {}

    /**
     * Aborts the multipart uploads under the service's areas ({@code uploads/}, {@code generations/}, ...) that this
     * process is not running and that received nothing since {@code inactiveSince}: initiated before it, and their
     * newest part (if any) uploaded before it. A process killed in the middle of an upload leaves exactly that; the
     * activity check keeps a slow upload of another replica alive. Uploads of other keys in the bucket are not ours
     * and stay. Blocking.
     */
    int removeAbandoned(Instant inactiveSince) {
        int aborted = 0;
        try {
            for (Area area : Area.values()) {
                List<Unfinished> uploads = new ArrayList<>();
                bucket.s3()
                        .listMultipartUploadsPaginator(
                                b -> b.bucket(bucket.name()).prefix(area.segment() + "/"))
                        .subscribe((ListMultipartUploadsResponse page) -> page.uploads()
                                .forEach(u -> uploads.add(new Unfinished(u.key(), u.uploadId(), u.initiated()))))
                        .get();
                for (Unfinished u : uploads) {
                    if (running.runs(u.uploadId())
                            || u.initiated() == null
                            || !u.initiated().isBefore(inactiveSince)
                            || !lastPartBefore(u, inactiveSince)) {
                        continue;
                    }
                    try {
                        bucket.s3()
                                .abortMultipartUpload(b ->
                                        b.bucket(bucket.name()).key(u.key()).uploadId(u.uploadId()))
                                .get();
                        aborted++;
                    } catch (ExecutionException e) {
                        if (!S3Errors.isNotFound(e.getCause())) { // aborted meanwhile (by its own process, or a sweep)
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
            throw new CancellationException("interrupted while removing abandoned multipart uploads");
        }
        return aborted;
    }

    /** Whether every part of the upload (none included) was uploaded before {@code instant}. */
    private boolean lastPartBefore(Unfinished u, Instant instant) throws ExecutionException, InterruptedException {
        AtomicLong newest = new AtomicLong(Long.MIN_VALUE);
        try {
            bucket.s3()
                    .listPartsPaginator(
                            b -> b.bucket(bucket.name()).key(u.key()).uploadId(u.uploadId()))
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
}
