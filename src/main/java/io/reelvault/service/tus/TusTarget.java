package io.reelvault.service.tus;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a finished resumable upload is published: the {@code target} key of {@code Upload-Metadata}, one per plain
 * endpoint it stands for. Every target but {@link #UPLOAD} is the pipeline's (group {@code pipeline}).
 */
public enum TusTarget {
    /** {@code POST /api/v1/uploads}: needs {@code filename} and {@code filetype}. */
    UPLOAD(false),
    /** {@code PUT /api/v1/generations/{generation_id}/clips/{clip}}. */
    GENERATION_CLIP(true),
    /** {@code PUT /api/v1/generations/{generation_id}/thumbnails/{clip}}. */
    GENERATION_THUMBNAIL(true),
    /** {@code PUT /api/v1/generations/{generation_id}/audio}. */
    GENERATION_AUDIO(true),
    /** {@code PUT /api/v1/compositions/{composition_id}/final}. */
    COMPOSITION_FINAL(true),
    /** {@code PUT /api/v1/compositions/{composition_id}/thumbnail}. */
    COMPOSITION_THUMBNAIL(true),
    /** {@code PUT /api/v1/temp/{job_id}/{filename}}. */
    TEMP(true);

    private final boolean pipeline;

    TusTarget(boolean pipeline) {
        this.pipeline = pipeline;
    }

    /** Whether only pipeline callers may upload to it. */
    public boolean pipeline() {
        return pipeline;
    }

    /** Its name in {@code Upload-Metadata}, e.g. {@code generation_clip}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code invalid_request} when {@code text} names no target. */
    public static TusTarget parse(String text) {
        return Arrays.stream(values())
                .filter(t -> t.value().equals(text))
                .findFirst()
                .orElseThrow(() -> new ReelvaultException(
                        ErrorCode.INVALID_REQUEST,
                        "Upload-Metadata target must be one of upload, generation_clip, generation_thumbnail,"
                                + " generation_audio, composition_final, composition_thumbnail, temp"));
    }
}
