package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.nio.charset.StandardCharsets;

/**
 * A validated object key such as {@code uploads/u1/upload_20261129_ab12.../original.png}.
 *
 * <p>Grammar: 1 to {@value #MAX_BYTES} bytes; segments separated by single {@code /}; each segment
 * 1 to {@value #MAX_SEGMENT} characters of {@code [A-Za-z0-9._-]}, not starting with a dot (so no
 * {@code .} or {@code ..} and no hidden files); the first segment names an {@link Area}. Anything
 * else (NUL, control characters, back-slashes, percent-encodings, unicode look-alikes, absolute or
 * empty segments) is rejected with {@link ErrorCode#INVALID_KEY}. A key that parses is safe to use
 * as a relative path on any backend.
 */
public record ObjectKey(String value) implements Comparable<ObjectKey> {
    public static final int MAX_BYTES = 1024;
    public static final int MAX_SEGMENT = 255;

    public ObjectKey {
        check(value, false);
    }

    public static ObjectKey parse(String text) {
        return new ObjectKey(text);
    }

    /** Whether {@code text} is a valid key, without throwing. */
    public static boolean isValid(String text) {
        try {
            check(text, false);
            return true;
        } catch (ReelvaultException e) {
            return false;
        }
    }

    /** The area this key lives in. */
    public Area area() {
        return Area.ofSegment(value.substring(0, value.indexOf('/'))).orElseThrow();
    }

    /** The last segment, e.g. {@code original.png}. */
    public String fileName() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    @Override
    public int compareTo(ObjectKey o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Checks the key grammar; with {@code prefix} a trailing slash is allowed and the last segment
     * may be partial. Returns normally or throws {@code invalid_key}.
     */
    static void check(String value, boolean prefix) {
        if (value == null || value.isEmpty()) {
            throw invalid("the key is empty");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("the key is longer than " + MAX_BYTES + " bytes");
        }
        if (!prefix && value.indexOf('/') < 0) {
            throw invalid("the key must name an object inside an area, e.g. uploads/...");
        }
        int segmentStart = 0;
        for (int i = 0; i <= value.length(); i++) {
            char c = i < value.length() ? value.charAt(i) : '/';
            if (c == '/') {
                boolean last = i == value.length();
                if (i == segmentStart && !(prefix && last && i > 0)) {
                    throw invalid("the key has an empty segment or starts or ends with '/'");
                }
                if (i - segmentStart > MAX_SEGMENT) {
                    throw invalid("a key segment is longer than " + MAX_SEGMENT + " characters");
                }
                if (segmentStart == 0
                        && (!prefix || !last)
                        && Area.ofSegment(value.substring(0, i)).isEmpty()) {
                    throw invalid("the key must start with uploads/, generations/, compositions/ or temp/");
                }
                segmentStart = i + 1;
            } else if (!allowed(c)) {
                throw invalid("the key may only contain letters, digits, '.', '_', '-' and '/'");
            } else if (c == '.' && i == segmentStart) {
                throw invalid("a key segment may not start with '.'");
            }
        }
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-';
    }

    private static ReelvaultException invalid(String detail) {
        return new ReelvaultException(ErrorCode.INVALID_KEY, detail);
    }
}
