package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;

/** The number of a generated clip, 1 to 999; its name is {@code clip_NNN}. */
public record ClipNumber(int value) {
    public ClipNumber {
        if (value < 1 || value > 999) {
            throw new ReelvaultException(ErrorCode.INVALID_ID, "clip number must be 1 to 999");
        }
    }

    /** @throws ReelvaultException {@code invalid_id} unless text is a decimal number 1..999 (no sign, no leading '+') */
    public static ClipNumber parse(String text) {
        if (text == null || !text.matches("[0-9]{1,3}")) {
            throw new ReelvaultException(ErrorCode.INVALID_ID, "clip number must be 1 to 999");
        }
        return new ClipNumber(Integer.parseInt(text));
    }

    /** {@code clip_001} for 1. */
    public String name() {
        return String.format("clip_%03d", value);
    }
}
