package io.reelvault.model;

import java.time.Clock;

/** A composition id: {@code comp_{yyyyMMdd}_{random}} (see {@link DatedIds}). Always valid once constructed. */
public record CompositionId(String value) {
    public static final String PREFIX = "comp";

    public CompositionId {
        DatedIds.parse(PREFIX, value, "composition id");
    }

    /** A new id dated today (UTC) with a fresh CSPRNG random part. */
    public static CompositionId generate(Clock clock) {
        return new CompositionId(DatedIds.generate(PREFIX, clock));
    }

    /** @throws io.reelvault.error.ReelvaultException {@code invalid_id} when {@code text} is not a composition id */
    public static CompositionId parse(String text) {
        return new CompositionId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
