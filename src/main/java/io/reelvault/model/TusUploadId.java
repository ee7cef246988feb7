package io.reelvault.model;

import java.time.Clock;

/**
 * A resumable (tus) upload's id, the last segment of its URL {@code /api/v1/tus/{id}}: {@code tus_{yyyyMMdd}_{random}}
 * (see {@link DatedIds}; the random part cannot be guessed). Always valid once constructed, so it is safe in file names.
 */
public record TusUploadId(String value) {
    public static final String PREFIX = "tus";

    public TusUploadId {
        DatedIds.parse(PREFIX, value, "tus upload id");
    }

    /** A new id dated today (UTC) with a fresh CSPRNG random part. */
    public static TusUploadId generate(Clock clock) {
        return new TusUploadId(DatedIds.generate(PREFIX, clock));
    }

    /** @throws io.reelvault.error.ReelvaultException {@code invalid_id} when {@code text} is not such an id */
    public static TusUploadId parse(String text) {
        return new TusUploadId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
