package io.reelvault.service.tus;

import java.time.Instant;

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
        String resource) {

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
                resource);
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
                path);
    }

    TusTarget targetKind() {
        return TusTarget.parse(target);
    }
}
