package io.reelvault.service.generation;

import com.fasterxml.jackson.annotation.JsonValue;
import io.reelvault.service.artifact.Statuses;

/** A generation's status: {@code pending} until {@code complete} ({@code completed}) or {@code fail} ({@code failed}). */
public enum GenerationStatus {
    PENDING,
    COMPLETED,
    FAILED;

    @JsonValue
    public String value() {
        return Statuses.value(this);
    }
}
