package io.reelvault.storage;

import io.reelvault.model.TusUploadId;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Capability: resumable uploads (tus) kept by the storage itself, outside the key space, so that any replica sharing
 * the storage can continue any of them and nothing of one lives only in a process's memory. Each upload is its bytes
 * so far plus a small state document that the caller owns (opaque bytes here). The bytes are no object: listings,
 * retention, scans and the incomplete-write sweep never see them; the service publishes a finished upload by
 * streaming {@link #read} into its usual write, and removes it with {@link #delete}.
 *
 * <p>Changing an upload ({@link #append}, {@link #truncate}, {@link #delete}) requires its {@link #lock}, which is
 * exclusive across every process sharing the storage (local backend: an OS file lock, dropped by the kernel when the
 * holder dies). Failures: {@code storage_unavailable}, {@code insufficient_storage} as for {@link ObjectStore}.
 */
public interface ResumableWrites {

    /** What is stored of one upload: its state document and how many bytes it holds ({@code offset}). */
    record Stored(byte[] state, long offset) {}

    /** An upload's lock, held until closed. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** Creates the upload with no bytes and its state document; {@code conflict} when the id exists. */
    Uni<Void> create(TusUploadId id, byte[] state);

    /** The upload's state and offset; empty when there is no such upload. */
    Uni<Optional<Stored>> find(TusUploadId id);

    /** Replaces the state document atomically (durable when the {@code Uni} completes). */
    Uni<Void> saveState(TusUploadId id, byte[] state);

    /**
     * Takes the upload's lock without waiting: empty when another request (here or in another process) holds it.
     */
    Uni<Optional<Lease>> lock(TusUploadId id);

    /**
     * Appends {@code body} at {@code offset}, which must be the upload's current offset, under its lock. The bytes are
     * durable (fsynced) when the returned {@code Uni} completes with the new offset. When the body fails (or the
     * {@code Uni} is cancelled), the bytes received so far stay (durably) if {@code keepOnFailure} accepts the failure,
     * else the upload is cut back to {@code offset}; then the body's failure is passed on. {@code keepOnFailure}
     * asked about {@code null} (a cancellation) tells whether a cut chunk may stay at all: if so, bytes may be made
     * durable while the chunk still streams (local: each full batch of 1 MiB written to the file; S3: each part recorded once answered), so that
     * whatever replica continues after this process dies mid-chunk finds them.
     *
     * @param length the upload's length when it is known: a store may then leave the bytes of an append that does not
     *               end the upload in another shape than those of the last one (S3: no tail object when it ends on a
     *               part boundary)
     * @return the new offset
     */
    Uni<Long> append(
            TusUploadId id,
            long offset,
            OptionalLong length,
            Multi<ByteBuffer> body,
            Predicate<Throwable> keepOnFailure);

    /**
     * Completes once no {@link #append} of the upload is in flight in this process: at once when none is, else when
     * its bytes are settled, also those of an append that was cancelled and keeps or cuts them on the side. The caller
     * gives a cancelled append's lock back only then.
     */
    Uni<Void> settled(TusUploadId id);

    /** Cuts the upload's bytes back to {@code offset} (durably), under its lock. */
    Uni<Void> truncate(TusUploadId id, long offset);

    /** The upload's bytes from {@code from} on, in constant memory. */
    Multi<ByteBuffer> read(TusUploadId id, long from);

    /**
     * The finished upload's bytes ({@code length} of them) for its publication: {@link #read} from 0, or, where the
     * object store can take the stored bytes as the new object without copying them, an {@link AdoptableBody} (the
     * local backend: the bytes file, which a successful publication moves away).
     */
    default Multi<ByteBuffer> whole(TusUploadId id, long length) {
        return read(id, 0);
    }

    /** Removes the upload's bytes, keeping its state document (a finished upload stays known until it expires). */
    Uni<Void> deleteBytes(TusUploadId id);

    /** Removes the upload altogether: bytes, state and lock. Idempotent. */
    Uni<Void> delete(TusUploadId id);

    /** Every upload that has a state document, for sweeps. */
    Uni<List<TusUploadId>> list();
}
