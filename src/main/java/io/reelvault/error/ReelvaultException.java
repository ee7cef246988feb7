package io.reelvault.error;

import java.util.Map;

/**
 * The one domain exception: an {@link ErrorCode} and a detail safe to show to the caller. The
 * detail never contains secrets, stack traces, internal paths or another user's keys; whatever is
 * not safe to show goes into the cause, which only the logs see.
 */
public class ReelvaultException extends RuntimeException {
    private final ErrorCode code;
    private final transient Map<String, String> headers;

    public ReelvaultException(ErrorCode code, String detail) {
        this(code, detail, null, Map.of());
    }

    public ReelvaultException(ErrorCode code, String detail, Throwable cause) {
        this(code, detail, cause, Map.of());
    }

    /** @param headers response headers to add (e.g. {@code Content-Range}, {@code Retry-After}); never null */
    public ReelvaultException(ErrorCode code, String detail, Throwable cause, Map<String, String> headers) {
        super(detail, cause, false, cause != null);
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode code() {
        return code;
    }

    /** The detail shown to the caller. */
    public String detail() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ReelvaultException notFound(String what) {
        return new ReelvaultException(ErrorCode.NOT_FOUND, what + " not found");
    }

    /**
     * 416 for a range that selects none of an object's {@code size} bytes, with the {@code Content-Range: bytes
     * *&#47;size} header RFC 9110 asks for; {@code range} is the request's range as written.
     */
    public static ReelvaultException rangeNotSatisfiable(long size, Object range) {
        return new ReelvaultException(
                ErrorCode.RANGE_NOT_SATISFIABLE,
                "the object has " + size + " bytes; " + range + " selects none of them",
                null,
                Map.of("Content-Range", "bytes */" + size));
    }
}
