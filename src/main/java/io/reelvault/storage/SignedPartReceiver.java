package io.reelvault.storage;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;

/**
 * Capability of backends whose {@link DirectMultipart} part URLs point at the service itself (the local backend): the
 * body of a verified part PUT is handed here.
 */
public interface SignedPartReceiver {
    /**
     * Stores part {@code number} of the upload, replacing an earlier upload of that number; the part is written
     * atomically (temp file, fsync, rename), in constant memory.
     *
     * @param length the part's exact length, as signed; a body of another length stores nothing ({@code length_mismatch})
     * @return the stored part; fails with {@code not_found} when the upload does not exist (completed, aborted, swept)
     */
    Uni<DirectMultipart.Part> receivePart(String uploadId, int number, Multi<ByteBuffer> body, long length);
}
