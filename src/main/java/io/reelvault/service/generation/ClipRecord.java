package io.reelvault.service.generation;

import com.fasterxml.jackson.annotation.JsonInclude;

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
        String thumbnail,
        String thumbnailError) {
    public static final String UPLOADED = "uploaded";
    public static final String EXTRACTING = "extracting";
    public static final String EXTRACTED = "extracted";
    public static final String FAILED = "failed";
    public static final String UNAVAILABLE = "unavailable";

    ClipRecord withThumbnail(String state, String error) {
        return new ClipRecord(clip, key, sizeBytes, sha256, durationSeconds, state, error);
    }

    ClipRecord withDuration(Double seconds) {
        return new ClipRecord(clip, key, sizeBytes, sha256, seconds, thumbnail, thumbnailError);
    }
}
