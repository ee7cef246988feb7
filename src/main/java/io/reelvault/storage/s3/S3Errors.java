package io.reelvault.storage.s3;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.storage.PreconditionFailedException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Translates SDK failures at the backend's boundary: a missing object (404 {@code NoSuchKey}, a HEAD's bodiless
 * 404) to {@code not_found}; throttling, 5xx and network failures (already retried by the SDK with jittered
 * back-off) to {@code storage_unavailable} with {@code Retry-After}; a missing bucket (404 {@code NoSuchBucket}),
 * access denied, unknown keys, bad signatures and other refusals to {@code storage_refused} (502: the service itself
 * is refused and an operator must act; a {@code not_found} would tell a caller their object is gone); a lost
 * conditional write to a {@link PreconditionFailedException}. The SDK's message reaches the log only, never a
 * response body. Also the errors the backend raises itself (a body that is not its declared length, a write after
 * stop, a batch delete that left keys), and what the bucket commands ({@link BucketAdmin}) read in S3's answers.
 */
final class S3Errors {
    private static final Logger LOG = Logger.getLogger(S3Errors.class);
    static final String RETRY_AFTER_SECONDS = "5";

    /** The S3 error codes that mean "this bucket has no such configuration". */
    private static final Set<String> NOT_CONFIGURED = Set.of(
            "NoSuchLifecycleConfiguration",
            "NoSuchCORSConfiguration",
            "NoSuchPublicAccessBlockConfiguration",
            "ServerSideEncryptionConfigurationNotFoundError");

    private S3Errors() {}

    static Throwable translate(Throwable failure) {
        Throwable e = unwrap(failure);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ReelvaultException r) {
                return r; // our own verdict (a bad body, a length mismatch) travelled through the SDK
            }
        }
        if (isMissingBucket(e)) {
            LOG.errorf(
                    "S3 refused a request: the bucket does not exist (request id %s)", ((S3Exception) e).requestId());
            return refused(e);
        }
        if (isNotFound(e)) {
            return ReelvaultException.notFound("object");
        }
        if (isConditionFailed(e)) {
            return new PreconditionFailedException("the object changed since it was read", e);
        }
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? "?" : code(s3);
            if (status == 429
                    || status == 500
                    || status == 502
                    || status == 503
                    || status == 504
                    || "SlowDown".equals(code)) {
                LOG.warnf("S3 unavailable: %d %s", status, code);
                return unavailable(e);
            }
            if (status == 412 || status == 409 && "ConditionalRequestConflict".equals(code)) {
                // only conditional writes (If-None-Match: *) are sent with a precondition
                return new ReelvaultException(
                        ErrorCode.CONFLICT, "an object already exists at this key and is never replaced");
            }
            // 403 AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed; 400 ExpiredToken, ...
            LOG.errorf("S3 refused a request: %d %s (request id %s)", status, code, s3.requestId());
            return refused(e);
        }
        if (e instanceof SdkClientException) {
            LOG.warnf("S3 unreachable: %s", e.getMessage());
            return unavailable(e);
        }
        return e;
    }

    /**
     * A missing object: 404 {@code NoSuchKey}, {@code NoSuchUpload}, or a HEAD's 404 (which has no body, so it cannot
     * say whether the key or the bucket is missing: {@link ObjectReads#head} checks the bucket then). Never a missing
     * bucket.
     */
    static boolean isNotFound(Throwable failure) {
        Throwable e = unwrap(failure);
        return (e instanceof NoSuchKeyException || e instanceof S3Exception s && s.statusCode() == 404)
                && !isMissingBucket(e);
    }

    /** 404 {@code NoSuchBucket}: the configured bucket does not exist (deleted, or misnamed). */
    static boolean isMissingBucket(Throwable failure) {
        Throwable e = unwrap(failure);
        return e instanceof NoSuchBucketException || e instanceof S3Exception s && "NoSuchBucket".equals(code(s));
    }

    /**
     * A conditional write lost: 412 {@code PreconditionFailed}, or 409 {@code ConditionalRequestConflict} (AWS: another
     * conditional write of the key was in progress). Only conditional writes are ever answered either.
     */
    static boolean isConditionFailed(Throwable failure) {
        Throwable e = unwrap(failure);
        return e instanceof S3Exception s
                && (s.statusCode() == 412 || s.statusCode() == 409 && "ConditionalRequestConflict".equals(code(s)));
    }

    static boolean isInvalidRange(Throwable failure) {
        Throwable e = unwrap(failure);
        return e instanceof S3Exception s && (s.statusCode() == 416 || "InvalidRange".equals(code(s)));
    }

    /**
     * The server does not implement the request (HTTP 501 or {@code NotImplemented}): S3-compatible servers lack some
     * bucket APIs.
     */
    static boolean isUnsupported(Throwable e) {
        return e instanceof S3Exception s && (s.statusCode() == 501 || "NotImplemented".equals(code(s)));
    }

    /** 404 with a code saying that the bucket has no such configuration (for the bucket commands: a drift). */
    static boolean isNotConfigured(Throwable e) {
        return e instanceof S3Exception s && s.statusCode() == 404 && NOT_CONFIGURED.contains(code(s));
    }

    /** S3's error code ({@code NoSuchKey}, {@code SlowDown}, ...); null when the answer had none. */
    static String code(S3Exception s) {
        return s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
    }

    static ReelvaultException refused(Throwable cause) {
        return new ReelvaultException(ErrorCode.STORAGE_REFUSED, "the storage backend refused the request", cause);
    }

    static ReelvaultException unavailable(Throwable cause) {
        return new ReelvaultException(
                ErrorCode.STORAGE_UNAVAILABLE,
                "storage is unavailable; retry later",
                cause,
                Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }

    /** The body a caller sent is longer or shorter than the length it declared. */
    static ReelvaultException lengthMismatch(long declared) {
        return new ReelvaultException(ErrorCode.LENGTH_MISMATCH, "the body is not the declared " + declared + " bytes");
    }

    /** A write refused, or cut, because the service is stopping. */
    static ReelvaultException stopping() {
        return new ReelvaultException(
                ErrorCode.SHUTTING_DOWN,
                "the service stopped before the upload completed; nothing of it was stored",
                null,
                Map.of("Retry-After", "1"));
    }

    /** A DeleteObjects that answered 200 but listed keys it did not delete. */
    static ReelvaultException notDeleted(int count) {
        return new ReelvaultException(
                ErrorCode.STORAGE_REFUSED, "the storage backend did not delete " + count + " objects");
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
