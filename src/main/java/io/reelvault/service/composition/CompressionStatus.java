package io.reelvault.service.composition;

import com.fasterxml.jackson.annotation.JsonValue;
import io.reelvault.service.artifact.Statuses;

/**
 * What happened to a final render whose compression was asked for: {@code pending}, {@code compressed} (the smaller
 * re-encode replaced the original), {@code kept_original} (the re-encode was not smaller), {@code failed}, or
 * {@code unavailable} (ffmpeg is off).
 */
public enum CompressionStatus {
    PENDING,
    COMPRESSED,
    KEPT_ORIGINAL,
    FAILED,
    UNAVAILABLE;

    @JsonValue
    public String value() {
        return Statuses.value(this);
    }
}
