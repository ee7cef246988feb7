package io.reelvault.storage;

import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The storage contract every backend implements (local filesystem, S3). Keys are validated
 * {@link ObjectKey}s; bodies stream as {@link ByteBuffer}s in constant memory. Every method is
 * non-blocking: it returns at once and does its I/O off the caller's thread (never on a Vert.x event
 * loop). Failures arrive through the returned {@code Uni}/{@code Multi} as
 * {@link io.reelvault.error.ReelvaultException}s with these codes:
 * {@code not_found} (missing object), {@code range_not_satisfiable}, {@code length_mismatch},
 * {@code storage_unavailable} (the backend failed; retry later), {@code storage_refused} (the backend refused the
 * service itself: a missing bucket, denied or unknown credentials). Errors of a caller's body stream
 * pass through unchanged.
 *
 * <p>Retention: the injectable {@code ObjectStore} is wrapped in a {@link RetentionGuard}, so
 * {@link #get} and {@link #head} of an object past its retention fail with {@code expired} (404; map
 * it to a 404 problem with code {@code expired}, never to an empty answer) and {@link #list} skips
 * such objects. The backends themselves know nothing of retention; the store qualified
 * {@link IncludingExpired} sees every object, for the sweeper and scans that must.
 *
 * <p>Optional capabilities (signed URLs, readiness probes) are separate interfaces, found with
 * {@link #capability(Class)} rather than methods that throw at run time.
 */
public interface ObjectStore {

    /**
     * Streams {@code body} into {@code key}, replacing any object there. The write is atomic: a
     * reader sees the previous object or the complete new one, never a part; when the body fails,
     * the length does not match, or the returned {@code Uni} is cancelled, nothing of the new object
     * remains and the previous one (if any) is untouched.
     *
     * @param length      the exact body length in bytes when known; empty when unknown
     * @param contentType the media type to store (never null; {@code application/octet-stream} when unknown)
     * @return the stored object's info and SHA-256, once it is durable
     */
    Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType);

    /**
     * {@link #put}, but only while the object at {@code key} is still the one the caller saw: with {@code expectedEtag}
     * present, only while there is an object whose ETag is that one (S3 {@code If-Match}); with it empty, only while
     * there is no object at all (S3 {@code If-None-Match: *}). The check and the replacement are one atomic step
     * against every other conditional writer of the key, in this process or another one sharing the storage (other
     * replicas on one bucket or one storage root): of two writers conditioned on the same ETag, one wins and the
     * other fails. That makes a read-modify-write safe across replicas: read with its ETag, write with
     * {@code putIf}, and on failure read again. Unconditional {@link #put}s of the key are not held back by it.
     *
     * <p>An ETag is one version of the object: it changes on every write (S3: the content's MD5 or the multipart
     * form; local: the file's modification time in nanoseconds, size and identity, the time moved forward by a
     * conditional write so that no ETag comes back).
     *
     * @param expectedEtag the ETag of the object the caller read (as {@link ObjectInfo#etag()} gave it), or empty
     *                     for "only when absent"
     * @return the stored object's info and SHA-256; fails with {@link PreconditionFailedException} when the object
     *         there is not the expected one (nothing written), and otherwise as {@link #put} fails
     */
    Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType);

    /** {@link #putIf} with no expected object: create-only ({@code If-None-Match: *}); an existing object is a {@code conflict}. */
    default Uni<PutResult> putIfAbsent(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        return putIf(key, Optional.empty(), body, length, contentType);
    }

    /**
     * Opens an object for reading, whole or one byte range.
     *
     * @param range the requested range, or empty for the whole object
     * @return the content; fails with {@code not_found} when there is no such object and with
     *         {@code range_not_satisfiable} (header {@code Content-Range: bytes * /size}) when no
     *         byte of the range lies in the object
     */
    Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range);

    /**
     * The object's info, or empty when there is no such object. Through the {@link RetentionGuard} (the
     * injectable store) an object past its retention fails with {@code expired} instead.
     */
    Uni<Optional<ObjectInfo>> head(ObjectKey key);

    /** Deletes an object. Idempotent: deleting a missing key succeeds. */
    Uni<Void> delete(ObjectKey key);

    /** Deletes every key given (missing ones are ignored), in as few backend calls as the backend allows. */
    Uni<Void> deleteMany(Collection<ObjectKey> keys);

    /**
     * Every object whose key starts with {@code prefix}, in ascending key order (UTF-8 byte order),
     * read page by page as the subscriber requests them.
     *
     * @param startAfter when present, only keys strictly greater than it
     */
    Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter);

    /** This store as the given capability, when it has it. Decorators delegate to the store they wrap. */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }
}
