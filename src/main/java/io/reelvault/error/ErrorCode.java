package io.reelvault.error;

import java.util.Locale;

/**
 * The catalog of every error the service answers with. Each code is stable: clients may switch
 * on {@link #code()}; titles are for people and may change. The HTTP status is fixed per code.
 */
public enum ErrorCode {
    /** A request parameter, header or JSON body is malformed or out of range. */
    INVALID_REQUEST(400, "Invalid request"),
    /** An id in the path or body does not match the id grammar (e.g. {@code upload_{yyyyMMdd}_{random}}). */
    INVALID_ID(400, "Invalid id"),
    /** An object key or file name is not acceptable (traversal, NUL, control characters, too long, ...). */
    INVALID_KEY(400, "Invalid object key"),
    /** The file name's extension is not one of the allowed types. */
    INVALID_FILENAME(400, "Invalid file name"),
    /** The Range header is syntactically valid but no byte of it lies inside the object. */
    RANGE_NOT_SATISFIABLE(416, "Range not satisfiable"),
    /** No valid bearer token was presented. */
    UNAUTHENTICATED(401, "Authentication required"),
    /** The token is valid but its subject is not a usable user id. */
    INVALID_SUBJECT(401, "Invalid token subject"),
    /** The caller is authenticated but may not do this. */
    FORBIDDEN(403, "Forbidden"),
    /** A signed URL's signature does not match (tampered, wrong key, wrong method). */
    SIGNATURE_INVALID(403, "Signature does not match"),
    /** A signed URL is past its expiry. */
    SIGNATURE_EXPIRED(403, "Signed URL expired"),
    /** The object or resource does not exist (or belongs to someone else). */
    NOT_FOUND(404, "Not found"),
    /**
     * The object or resource existed but is past its retention (see {@code model.Area}); it is never
     * served again, even before the lifecycle sweeper or S3's lifecycle rules delete it.
     */
    EXPIRED(404, "Expired"),
    /** The route exists but not for this HTTP method. */
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    /** The resource is in a state that forbids this (e.g. adding a clip to a completed generation). */
    CONFLICT(409, "Conflict"),
    /**
     * The request body stopped arriving: nothing came for {@code REELVAULT_UPLOAD_IDLE_TIMEOUT} while the service waited
     * for it. Nothing of it is stored, and the connection is closed.
     */
    REQUEST_TIMEOUT(408, "Request timeout"),
    /** The body is larger than the configured limit. */
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    /** The declared Content-Type, the file extension and the content's magic bytes do not agree, or the type is not allowed. */
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    /** The body ended before (or ran past) the declared Content-Length. */
    LENGTH_MISMATCH(400, "Body length does not match Content-Length"),
    /**
     * A direct multipart upload's completion names a part the storage does not hold (never uploaded), with another
     * ETag than the stored one, or of another size than its number's share of the file, or not every part 1..N in order.
     * Nothing is assembled; upload the part again (or list the parts) and complete again.
     */
    INVALID_PART(400, "Invalid part"),
    /**
     * The caller has used up its rate limit for this kind of call (uploads, or signed URLs); {@code Retry-After}
     * says in how many seconds one more call is allowed. Nothing of the request was read or done.
     */
    RATE_LIMITED(429, "Too many requests"),
    /**
     * The caller already has {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_CALLER} uploads in flight on this replica;
     * {@code Retry-After} says when to try again. Nothing of the request was read.
     */
    TOO_MANY_UPLOADS(429, "Too many uploads in flight"),
    /**
     * tus: the request's {@code Tus-Resumable} header is missing or names a version this server does not speak; the
     * answer's {@code Tus-Version} lists the ones it does ({@code 1.0.0}).
     */
    TUS_VERSION_UNSUPPORTED(412, "Unsupported tus version"),
    /** tus: a PATCH's {@code Upload-Offset} is not the upload's current offset (ask with HEAD, then resume there). */
    OFFSET_MISMATCH(409, "Upload-Offset mismatch"),
    /** tus: another PATCH of this upload is running (on this replica or another one); retry when it has ended. */
    UPLOAD_LOCKED(423, "Upload locked"),
    /** tus: the unfinished upload passed its {@code Upload-Expires}; its bytes are gone or about to be: start again. */
    UPLOAD_EXPIRED(410, "Upload expired"),
    /** tus: the chunk's bytes do not match its {@code Upload-Checksum}; the chunk was discarded, the offset is unchanged. */
    CHECKSUM_MISMATCH(460, "Checksum mismatch"),
    /** tus: {@code Upload-Checksum} names an algorithm other than sha1, sha256 and crc32c, or is malformed. */
    CHECKSUM_UNSUPPORTED(400, "Unsupported checksum"),
    /** The storage backend failed; retrying later may succeed (see {@code Retry-After}). */
    STORAGE_UNAVAILABLE(503, "Storage unavailable"),
    /**
     * The service is shutting down (a rolling update or scale-in): a new upload or artifact body is refused
     * before any of it is read, and an upload still in flight when the grace period ends is cut, leaving
     * nothing stored. {@code Retry-After} says when to retry; the retry reaches another replica once
     * readiness has taken this one out of the load balancer.
     */
    SHUTTING_DOWN(503, "Shutting down"),
    /** The storage backend refused the service itself (access denied, missing bucket): an operator must act. */
    STORAGE_REFUSED(502, "Storage refused the request"),
    /**
     * The local storage root's filesystem is full (or the process's disk quota is spent): the body did not fit, and
     * nothing of it is stored (no object, no temp file). No {@code Retry-After}: retrying cannot help until an operator
     * frees space; readiness reports the full disk meanwhile.
     */
    INSUFFICIENT_STORAGE(507, "Insufficient storage"),
    /** An unexpected failure inside the service. The body carries an incident id found in the logs. */
    INTERNAL_ERROR(500, "Internal error");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    /** The stable, machine-readable code, e.g. {@code unsupported_media_type}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The HTTP status this code is always answered with. */
    public int status() {
        return status;
    }

    /** A short human-readable summary, the problem's {@code title}. */
    public String title() {
        return title;
    }
}
