package io.reelvault.model;

/**
 * A prefix to list by, with S3 semantics: plain string prefix of keys ({@code uploads/u1/} lists
 * everything under that folder, {@code uploads/u1/upload_2026} every upload of 2026). Same
 * character rules as {@link ObjectKey}; a trailing {@code /} is allowed. The empty prefix
 * ({@link #ALL}) matches every key.
 */
public record KeyPrefix(String value) {
    public static final KeyPrefix ALL = new KeyPrefix("");

    public KeyPrefix {
        if (!value.isEmpty()) {
            ObjectKey.check(value, true);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
