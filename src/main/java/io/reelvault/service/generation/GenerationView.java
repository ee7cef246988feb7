package io.reelvault.service.generation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.service.artifact.ThumbnailState;
import java.time.Instant;
import java.util.List;

/**
 * A generation as {@code GET /api/v1/generations/{id}} returns it: its metadata, with signed preview
 * URLs (1 h, never past the generation's expiry) for each clip, thumbnail and the audio.
 *
 * @param urlsExpireIn seconds the URLs in this answer stay valid
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationView(
        String generationId,
        String userId,
        String prompt,
        JsonNode parameters,
        GenerationStatus status,
        Instant createdAt,
        Instant expiresAt,
        Instant completedAt,
        List<Clip> clips,
        Audio audio,
        Long urlsExpireIn) {

    /** A clip with its URLs; {@code thumbnailUrl} only when a thumbnail is stored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Clip(
            int clip,
            String key,
            long sizeBytes,
            String sha256,
            Double durationSeconds,
            ThumbnailState thumbnail,
            String thumbnailError,
            String previewUrl,
            String thumbnailUrl) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Audio(String key, long sizeBytes, String sha256, String url) {}
}
