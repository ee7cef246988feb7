package io.reelvault.service.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;

/**
 * {@code uploads/{user_id}/{upload_id}/metadata.json}, and the API's view of an upload.
 *
 * @param sizeBytes the original's length in bytes
 * @param sha256    lower-case hex SHA-256 of the original
 * @param filename  the name the user gave (display only; never part of a key)
 * @param uploadUrlExpiresAt a direct upload's: when its presigned PUT URL stops working (until then a deletion on S3
 *                  leaves a tombstone that the URL cannot overwrite); absent for uploads streamed through the service
 * @param etag      a direct upload's: the ETag of exactly the object {@code complete} checked. A download URL is refused
 *                  (409 {@code conflict}) once the object has another, which only a storage server ignoring the
 *                  presigned PUT's {@code If-None-Match: *} allows; absent for streamed uploads (written by the service)
 */
public record UploadMetadata(
        String uploadId,
        String userId,
        String key,
        String filename,
        String contentType,
        long sizeBytes,
        String sha256,

        @JsonDeserialize(using = IsoInstantDeserializer.class)
        Instant createdAt,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonDeserialize(using = IsoInstantDeserializer.class)
        Instant uploadUrlExpiresAt,

        @JsonInclude(JsonInclude.Include.NON_NULL) String etag) {}
