package io.reelvault.service.composition;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reelvault.service.artifact.ArtifactDocument;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.artifact.ThumbnailState;
import java.time.Instant;

/**
 * {@code compositions/{composition_id}/metadata.json}, and the answer of {@code GET}.
 *
 * @param status         {@code pending} until the final video is stored, then {@code rendered}
 * @param expiresAt      creation + 90 days rounded up to 00:00 UTC
 * @param finalVideo     the stored final render (after compression, when it was compressed)
 * @param thumbnail      as for clips: {@code uploaded}, {@code extracting}, {@code extracted}, {@code failed}, {@code unavailable}
 * @param compression    what happened to the final when compression was asked for; null when it was not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompositionMetadata(
        String compositionId,
        String userId,
        String generationId,
        CompositionStatus status,
        Instant createdAt,
        Instant expiresAt,
        Instant renderedAt,
        StoredArtifact finalVideo,
        ThumbnailState thumbnail,
        String thumbnailError,
        Compression compression)
        implements ArtifactDocument {

    /**
     * @param status              see {@link CompressionStatus}
     * @param originalSizeBytes   the final as uploaded
     * @param compressedSizeBytes the re-encode's size, when one was made
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Compression(
            CompressionStatus status, long originalSizeBytes, Long compressedSizeBytes, String error) {}

    CompositionMetadata withFinal(
            StoredArtifact video, Instant at, ThumbnailState thumbnailState, Compression compressionState) {
        return new CompositionMetadata(
                compositionId,
                userId,
                generationId,
                CompositionStatus.RENDERED,
                createdAt,
                expiresAt,
                at,
                video,
                thumbnailState,
                null,
                compressionState);
    }

    CompositionMetadata withThumbnail(ThumbnailState state, String error) {
        return new CompositionMetadata(
                compositionId,
                userId,
                generationId,
                status,
                createdAt,
                expiresAt,
                renderedAt,
                finalVideo,
                state,
                error,
                compression);
    }

    CompositionMetadata withCompression(StoredArtifact video, Compression next) {
        return new CompositionMetadata(
                compositionId,
                userId,
                generationId,
                status,
                createdAt,
                expiresAt,
                renderedAt,
                video,
                thumbnail,
                thumbnailError,
                next);
    }
}
