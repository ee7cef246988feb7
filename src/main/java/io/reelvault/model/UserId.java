package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.util.regex.Pattern;

/** A user id, taken from the token's {@code sub}: 1 to 64 characters of {@code [A-Za-z0-9_-]}. */
public record UserId(String value) {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public UserId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_SUBJECT,
                    "the token's subject must be 1-64 characters of letters, digits, '_' or '-'");
        }
    }

    /** A user id from a token's subject: {@code invalid_subject} (401) when malformed. */
    public static UserId parse(String text) {
        return new UserId(text);
    }

    /** A user id named in a request (path, query or body): {@code invalid_id} (400) when malformed. */
    public static UserId parseRequested(String text) {
        if (text == null || !SHAPE.matcher(text).matches()) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_ID, "user_id must be 1-64 characters of letters, digits, '_' or '-'");
        }
        return new UserId(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
