package io.reelvault.storage;

import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Uni;

/**
 * Capability: publishes an object already in storage under another key without sending its bytes through the service
 * (local: an atomic rename on the root's filesystem; S3: a server-side CopyObject, or UploadPartCopy parts for an
 * object over 5 GiB, then the source deleted). Used to publish an object only once it was verified at a staging key,
 * so the target key never shows an unverified one.
 *
 * <p>Like the other capabilities it bypasses the metering decorator: the usage meter learns of the move from the next
 * usage scan.
 */
public interface ObjectMoves {
    /**
     * Moves {@code from} to {@code to}, replacing what {@code to} held in one step (readers of {@code to} see the old
     * object or the new one, never a part), on the condition that {@code from} is still the version {@code ifMatch}
     * names. The moved object keeps its bytes, length and media type; {@code to} gets an ETag no earlier version of it
     * had. {@code from} is gone afterwards (on S3 a crash between the copy and the delete may leave it: the caller's
     * sweep removes it).
     *
     * @param ifMatch the ETag of {@code from} as the caller verified it (quoted, as {@link ObjectInfo#etag()})
     * @return what {@code to} holds now; fails with {@code not_found} when {@code from} does not exist, with
     *         {@link PreconditionFailedException} when it is another version
     */
    Uni<ObjectInfo> move(ObjectKey from, String ifMatch, ObjectKey to);
}
