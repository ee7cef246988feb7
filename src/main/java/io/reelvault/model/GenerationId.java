package io.reelvault.model;

import java.time.Clock;

/** A generation id: {@code gen_{yyyyMMdd}_{random}} (see {@link DatedIds}). Always valid once constructed. */
public record GenerationId(String value) {
    public static final String PREFIX = "gen";

    public GenerationId {
        DatedIds.parse(PREFIX, value, "generation id");
    }

    /** A new id dated today (UTC) with a fresh CSPRNG random part. */
    public static GenerationId generate(Clock clock) {
        return new GenerationId(DatedIds.generate(PREFIX, clock));
    }

    /** @throws io.reelvault.error.ReelvaultException {@code invalid_id} when {@code text} is not a generation id */
    public static GenerationId parse(String text) {
        return new GenerationId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
