package io.reelvault.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One HTTP byte range as requested (RFC 9110 §14.1.2): {@code first-last}, {@code first-} or the
 * suffix {@code -length}. Positions are zero-based byte offsets; {@code last} is inclusive and may
 * lie past the end (it is clamped when resolved).
 */
public record ByteRange(Long first, Long last, Long suffixLength) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    public static ByteRange fromTo(long first, long last) {
        return new ByteRange(first, last, null);
    }

    public static ByteRange from(long first) {
        return new ByteRange(first, null, null);
    }

    public static ByteRange suffix(long length) {
        return new ByteRange(null, null, length);
    }

    /**
     * Parses a {@code Range} header. Absent, malformed, non-byte and multi-range headers give empty:
     * RFC 9110 lets a server ignore them and answer the whole object with 200.
     */
    public static Optional<ByteRange> parseHeader(String header) {
        if (header == null) {
            return Optional.empty();
        }
        var m = SINGLE.matcher(header.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            String a = m.group(1);
            String b = m.group(2);
            if (a.isEmpty() && b.isEmpty()) {
                return Optional.empty();
            }
            if (a.isEmpty()) {
                return Optional.of(suffix(Long.parseLong(b)));
            }
            long first = Long.parseLong(a);
            if (b.isEmpty()) {
                return Optional.of(from(first));
            }
            long last = Long.parseLong(b);
            return last < first ? Optional.empty() : Optional.of(fromTo(first, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The bytes this range selects in an object of {@code size} bytes; empty when unsatisfiable. */
    public Optional<ResolvedRange> resolve(long size) {
        if (suffixLength != null) {
            if (suffixLength == 0 || size == 0) {
                return Optional.empty();
            }
            return Optional.of(new ResolvedRange(Math.max(0, size - suffixLength), size - 1, size));
        }
        if (first >= size) {
            return Optional.empty();
        }
        long end = last == null ? size - 1 : Math.min(last, size - 1);
        return Optional.of(new ResolvedRange(first, end, size));
    }

    @Override
    public String toString() {
        if (suffixLength != null) {
            return "bytes=-" + suffixLength;
        }
        return "bytes=" + first + "-" + (last == null ? "" : last);
    }
}
