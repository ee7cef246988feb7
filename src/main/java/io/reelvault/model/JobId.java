package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.util.regex.Pattern;

/** A processing job id, chosen by the pipeline: 1 to 64 characters of {@code [A-Za-z0-9_-]}. */
public record JobId(String value) {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public JobId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new ReelvaultException(ErrorCode.INVALID_ID, "not a valid job id");
        }
    }

    public static JobId parse(String text) {
        return new JobId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
