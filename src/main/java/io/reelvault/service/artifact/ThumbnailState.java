package io.reelvault.service.artifact;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a clip's or a final render's thumbnail stands, as recorded in the metadata: {@code uploaded} (sent by the
 * pipeline), {@code extracting}, {@code extracted} (made with ffmpeg), {@code failed} (see the error next to it), or
 * {@code unavailable} (ffmpeg is off).
 */
public enum ThumbnailState {
    UPLOADED,
    EXTRACTING,
    EXTRACTED,
    FAILED,
    UNAVAILABLE;

    /** The state of a newly stored clip or render: the pipeline's own thumbnail, else one to extract if ffmpeg can. */
    public static ThumbnailState of(boolean uploaded, boolean canExtract) {
        return uploaded ? UPLOADED : canExtract ? EXTRACTING : UNAVAILABLE;
    }

    @JsonValue
    public String value() {
        return Statuses.value(this);
    }
}
