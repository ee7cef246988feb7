package io.reelvault.storage;

import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;

/**
 * Capability: multipart uploads whose parts a client sends straight to storage with signed part URLs, the service
 * only starting, listing, completing and aborting them (S3: CreateMultipartUpload, presigned UploadPart, ListParts,
 * CompleteMultipartUpload, AbortMultipartUpload; local: part files under the storage root's internal
 * {@code .multipart/} folder, received by the service's own {@code /storage/} route and concatenated at completion).
 *
 * <p>An {@code uploadId} is the backend's id of one such upload: opaque, at most {@value #MAX_UPLOAD_ID} characters of
 * URL-safe text; callers take it only from {@link #create} (never from a client) and keep it server-side.
 */
public interface DirectMultipart {
    /** The most parts of one upload (S3's limit). */
    int MAX_PARTS = 10_000;
    /** The smallest part but the last (S3's limit): 5 MiB. */
    long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** The longest backend upload id accepted. */
    int MAX_UPLOAD_ID = 1024;

    /** A part the storage holds: its number (1-based), size in bytes and ETag (quoted, as S3 answers it). */
    record Part(int number, long size, String etag) {}

    /**
     * Starts an upload that will become the object {@code key}, of the given media type.
     *
     * @return the backend's upload id
     */
    Uni<String> create(ObjectKey key, String contentType);

    /**
     * A PUT URL for one part, bound to its upload, part number and exact length. Local: the request must carry that
     * Content-Length (no chunked body); S3: Content-Length is signed.
     *
     * @param number 1 to {@link #MAX_PARTS}
     * @param length the part's exact length, at least 1
     */
    SignedUrls.SignedUrl signPart(ObjectKey key, String uploadId, int number, long length, Duration expiresIn);

    /**
     * The parts received so far with a number above {@code after}, in part number order, at most {@code max} (1 to
     * 1,000) of them.
     *
     * @return fails with {@code not_found} when the upload does not exist (completed, aborted, never started)
     */
    Uni<List<Part>> parts(ObjectKey key, String uploadId, int after, int max);

    /**
     * Assembles the parts, in this order, into the object {@code key} (create-only on the local backend; on S3 the
     * object appears atomically). Each part's ETag must be the one the storage holds.
     *
     * @return the object's info; fails with {@code invalid_part} when a part is missing or its ETag differs, with
     *         {@code not_found} when the upload does not exist
     */
    Uni<ObjectInfo> complete(ObjectKey key, String uploadId, List<Part> parts);

    /** Discards the upload and every part it received. Idempotent: an unknown upload succeeds. */
    Uni<Void> abort(ObjectKey key, String uploadId);
}
