package io.reelvault.model;

import java.time.Clock;

/** A upload id: {@code upload_{yyyyMMdd}_{random}} (see {@link DatedIds}). Always valid once constructed. */
public record UploadId(String value) {
    public static final String PREFIX = "upload";

    public UploadId {
        DatedIds.parse(PREFIX, value, "upload id");
    }

    /** A new id dated today (UTC) with a fresh CSPRNG random part. */
    public static UploadId generate(Clock clock) {
        return new UploadId(DatedIds.generate(PREFIX, clock));
    }

    /** @throws io.reelvault.error.ReelvaultException {@code invalid_id} when {@code text} is not a upload id */
    public static UploadId parse(String text) {
        return new UploadId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
