package io.reelvault.service.composition;

import com.fasterxml.jackson.annotation.JsonValue;
import io.reelvault.service.artifact.Statuses;

/** A composition's status: {@code pending} until the final video is stored, then {@code rendered}. */
public enum CompositionStatus {
    PENDING,
    RENDERED;

    @JsonValue
    public String value() {
        return Statuses.value(this);
    }
}
