package io.reelvault.service.upload;

import java.time.Instant;

/**
 * {@code uploads/{user_id}/{upload_id}/pending.json}: what a presigned direct upload promised, read
 * back by {@code complete}. Never listed as an upload; removed when the upload completes or is deleted.
 *
 * @param sizeBytes the exact length the presigned PUT allows
 * @param expiresAt when the presigned URL stops working
 */
public record PendingUpload(
        String uploadId,
        String userId,
        String key,
        String filename,
        String contentType,
        long sizeBytes,
        Instant createdAt,
        Instant expiresAt) {}
