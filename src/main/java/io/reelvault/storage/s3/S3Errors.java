package io.reelvault.storage.s3;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.storage.PreconditionFailedException;
import java.util.Map;
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
 * response body.
 */
final class S3Errors {
    private static final Logger LOG = Logger.getLogger(S3Errors.class);
    static final String RETRY_AFTER_SECONDS = "5";

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
            String code =
                    s3.awsErrorDetails() == null ? "?" : s3.awsErrorDetails().errorCode();
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
     * say whether the key or the bucket is missing: {@link S3ObjectStore#head} checks the bucket then). Never a missing
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
        return e instanceof NoSuchBucketException
                || e instanceof S3Exception s
                        && s.awsErrorDetails() != null
                        && "NoSuchBucket".equals(s.awsErrorDetails().errorCode());
    }

    /**
     * A conditional write lost: 412 {@code PreconditionFailed}, or 409 {@code ConditionalRequestConflict} (AWS: another
     * conditional write of the key was in progress). Only conditional writes are ever answered either.
     */
    static boolean isConditionFailed(Throwable failure) {
        Throwable e = unwrap(failure);
        return e instanceof S3Exception s
                && (s.statusCode() == 412
                        || s.statusCode() == 409
                                && s.awsErrorDetails() != null
                                && "ConditionalRequestConflict"
                                        .equals(s.awsErrorDetails().errorCode()));
    }

    static boolean isInvalidRange(Throwable failure) {
        Throwable e = unwrap(failure);
        return e instanceof S3Exception s
                && (s.statusCode() == 416
                        || s.awsErrorDetails() != null
                                && "InvalidRange".equals(s.awsErrorDetails().errorCode()));
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

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
