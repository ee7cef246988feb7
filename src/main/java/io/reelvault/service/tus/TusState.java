package io.reelvault.service.tus;

import java.time.Instant;
import java.util.List;

/**
 * A resumable upload's state document, stored next to its bytes ({@link io.reelvault.storage.ResumableWrites}); the
 * bytes' own size is the offset. Written at creation, when a deferred length becomes known, and when the finished upload
 * was published ({@code finished}, {@code resource}); removed by termination and by the tus sweep after
 * {@code expiresAt}.
 *
 * @param owner     the creator's user id: nobody else sees the upload
 * @param target    {@link TusTarget#value()}
 * @param length    {@code Upload-Length}, or null while deferred
 * @param metadata  the {@code Upload-Metadata} header as sent, answered to HEAD
 * @param resource  once published: the API path of what it became, e.g. {@code api/v1/uploads/upload_...}
 * @param concat    null for a plain upload; {@value #PARTIAL} for a partial upload of the concatenation extension
 *                  (its {@code target} is null: it only becomes something as part of a final upload) or
 *                  {@value #FINAL} for a final upload, the concatenation of {@code parts}
 * @param parts     a final upload's partial uploads (ids), in order; null otherwise
 */
public record TusState(
        String id,
        String owner,
        String target,
        String filename,
        String filetype,
        String generationId,
        String compositionId,
        Integer clip,
        String jobId,
        Long length,
        String metadata,
        Instant createdAt,
        Instant expiresAt,
        boolean finished,
        String resource,
        String concat,
        List<String> parts) {
    static final String PARTIAL = "partial";
    static final String FINAL = "final";

    TusState withLength(long newLength) {
        return new TusState(
                id,
                owner,
                target,
                filename,
                filetype,
                generationId,
                compositionId,
                clip,
                jobId,
                newLength,
                metadata,
                createdAt,
                expiresAt,
                finished,
                resource,
                concat,
                parts);
    }

    TusState published(String path) {
        return new TusState(
                id,
                owner,
                target,
                filename,
                filetype,
                generationId,
                compositionId,
                clip,
                jobId,
                length,
                metadata,
                createdAt,
                expiresAt,
                true,
                path,
                concat,
                parts);
    }

    /** A partial upload of the concatenation extension: never published by itself. */
    boolean partial() {
        return PARTIAL.equals(concat);
    }

    /** A final upload of the concatenation extension: made whole at creation, never PATCHed. */
    boolean isFinal() {
        return FINAL.equals(concat);
    }

    TusTarget targetKind() {
        return TusTarget.parse(target);
    }
}
