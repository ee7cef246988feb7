package io.reelvault.service.generation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reelvault.service.artifact.ThumbnailState;

/**
 * A clip of a generation as recorded in its {@code metadata.json}.
 *
 * @param clip            the clip number, 1 to 999
 * @param durationSeconds from ffprobe when the generation was completed; null before, or when ffprobe is off or failed
 * @param thumbnail       {@code uploaded} (sent by the pipeline), {@code extracting}, {@code extracted} (made with
 *                        ffmpeg), {@code failed} (see {@code thumbnailError}), or {@code unavailable} (ffmpeg is off)
 * @param thumbnailError  why extraction failed; never fails the clip itself
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClipRecord(
        int clip,
        String key,
        long sizeBytes,
        String sha256,
        Double durationSeconds,
        ThumbnailState thumbnail,
        String thumbnailError) {

    ClipRecord withThumbnail(ThumbnailState state, String error) {
        return new ClipRecord(clip, key, sizeBytes, sha256, durationSeconds, state, error);
    }

    ClipRecord withDuration(Double seconds) {
        return new ClipRecord(clip, key, sizeBytes, sha256, seconds, thumbnail, thumbnailError);
    }
}
