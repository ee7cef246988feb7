package io.reelvault.model;

/**
 * The bytes actually served: {@code start} to {@code end} inclusive, of an object of
 * {@code totalSize} bytes.
 */
public record ResolvedRange(long start, long end, long totalSize) {
    public ResolvedRange {
        if (start < 0 || end < start || end >= totalSize) {
            throw new IllegalArgumentException("bad range " + start + "-" + end + "/" + totalSize);
        }
    }

    public long length() {
        return end - start + 1;
    }

    /** {@code bytes start-end/total}, the Content-Range value. */
    public String contentRange() {
        return "bytes " + start + "-" + end + "/" + totalSize;
    }
}
