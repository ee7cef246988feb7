package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;

/** A user id, taken from the token's {@code sub}: 1 to 64 characters of {@code [A-Za-z0-9_-]}. */
public record UserId(String value) {

    public UserId {
        if (!valid(value)) {
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
        if (!valid(text)) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_ID, "user_id must be 1-64 characters of letters, digits, '_' or '-'");
        }
        return new UserId(text);
    }

    /** Whether {@code text} is 1 to 64 of {@code [A-Za-z0-9_-]} (checked char by char: on every request). */
    static boolean valid(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }
}
