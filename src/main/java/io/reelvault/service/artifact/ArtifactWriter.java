package io.reelvault.service.artifact;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.FileType;
import io.reelvault.model.ObjectKey;
import io.reelvault.service.BodyInspector;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * Streams the pipeline's artifacts (clips, thumbnails, audio, renders, temp files) into storage with
 * the same checks as user uploads: the declared Content-Type, the size limit
 * ({@code REELVAULT_PIPELINE_MAX_SIZE}) before and while reading, and the content's magic bytes. The
 * write is atomic: a rejected or interrupted body leaves nothing.
 */
@ApplicationScoped
public class ArtifactWriter {
    private final ObjectStore store;
    private final long maxBytes;

    public ArtifactWriter(ObjectStore store, ReelvaultConfig config) {
        this.store = store;
        this.maxBytes = config.pipeline().maxSize().asLongValue();
    }

    /**
     * What can be checked before reading a byte. Resources call it before accepting the body.
     *
     * @param expected the type the content must be, or null for any bytes (stored as octet-stream)
     */
    public void precheck(FileType expected, String declaredType, OptionalLong length) {
        if (expected != null && !expected.acceptsMediaType(declaredType)) {
            throw new ReelvaultException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "this artifact must be sent as " + expected.mediaType() + ", not "
                            + (declaredType == null ? "(no Content-Type)" : declaredType));
        }
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            throw BodyInspector.tooLarge(maxBytes);
        }
    }

    /** Streams the body into {@code key}; fails with 413/415/400 codes as {@link BodyInspector} finds. */
    public Uni<PutResult> write(ObjectKey key, FileType expected, OptionalLong length, Multi<ByteBuffer> body) {
        BodyInspector inspector = new BodyInspector(maxBytes, expected, length);
        String type = expected == null ? "application/octet-stream" : expected.mediaType();
        return store.put(key, inspector.inspect(body), length, type);
    }
}
