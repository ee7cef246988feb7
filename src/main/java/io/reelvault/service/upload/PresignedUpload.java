package io.reelvault.service.upload;

import java.util.Map;

/**
 * The answer to a presign request: PUT the file's bytes to {@code uploadUrl} with {@code headers},
 * then call {@code POST /api/v1/uploads/{upload_id}/complete}.
 *
 * @param expiresIn seconds the URL stays valid
 */
public record PresignedUpload(
        String uploadId, String uploadUrl, String method, Map<String, String> headers, long expiresIn) {}
