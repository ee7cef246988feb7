package io.reelvault.storage;

import io.reelvault.model.ResolvedRange;
import io.smallrye.mutiny.Multi;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * An object being read.
 *
 * @param info  the object's metadata; {@code info.size()} is the whole object's size
 * @param range the bytes being served when a range was requested; empty for the whole object
 * @param body  the bytes, in order; exactly {@link #length()} of them. Subscribe once: the store
 *              holds a file handle or connection until the stream completes, fails or is cancelled,
 *              so a caller that decides not to read must still subscribe and cancel.
 * @param file  the same bytes as a range of an open file, when the store can offer that (the local backend), for a
 *              caller that sends them without copying; a caller uses either it (and closes it) or {@code body}
 *              (see {@link FileBody}). A decorator that changes the bytes of {@code body} must drop it.
 */
public record ObjectContent(
        ObjectInfo info, Optional<ResolvedRange> range, Multi<ByteBuffer> body, Optional<FileBody> file) {
    /** A content with no file body (S3, or a decorator that transforms the bytes). */
    public ObjectContent(ObjectInfo info, Optional<ResolvedRange> range, Multi<ByteBuffer> body) {
        this(info, range, body, Optional.empty());
    }

    /** The number of bytes {@link #body()} emits. */
    public long length() {
        return range.map(ResolvedRange::length).orElse(info.size());
    }
}
