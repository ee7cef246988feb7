package io.reelvault.storage.s3;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The operator's bucket commands: {@link #setup} applies the configuration of {@link BucketConfiguration}
 * to an existing bucket, {@link #verify} reads it back and reports any difference. Items, in this order:
 * {@code public-access-block} (all four flags), {@code encryption} (SSE-S3), {@code lifecycle} (the
 * retention table's rules), {@code cors} (the service's allowed origins) and, only when wanted,
 * {@code versioning}.
 *
 * <p>Each item prints exactly one line:
 * <ul>
 * <li>setup: {@code applied <item>: <what>}, {@code unsupported <item>: not supported by this server}
 * (HTTP 501 or {@code NotImplemented}: S3-compatible servers lack some bucket APIs; not a failure),
 * or {@code error <item>: <S3 error code> (HTTP <status>)};</li>
 * <li>verify: {@code ok <item>}, {@code drift <item>: <difference>}, {@code unsupported <item>: not
 * supported by this server}, or {@code error <item>: ...}.</li>
 * </ul>
 * An error line names the S3 error code, or for a failure before S3 answered a short description;
 * never a credential. The details go to the log.
 *
 * <p>Exit codes: 0 when every item was applied, is as expected, or is unsupported; 1 on any drift or
 * error. Verification compares meaning, not form: the order of rules, origins, methods and headers does
 * not matter, header names compare case-insensitively, and a lifecycle rule's prefix may be given as
 * {@code Filter.Prefix}, {@code Filter.And.Prefix} or the legacy {@code Prefix}. Rules are matched by
 * {@code ID} (lifecycle) or by content (CORS, whose rules have no required id): {@link BucketDrift}. The items
 * themselves, and the requests for each: {@link BucketItem}.
 *
 * <p>Needs the bucket-admin permissions of {@code deploy/iam/bucket-admin-policy.json}, never the task
 * role's. Both {@code PutBucketLifecycleConfiguration} and {@code PutBucketCors} replace the whole
 * configuration: rules added by hand are removed by setup and reported by verify.
 */
public final class BucketAdmin {
    private static final Logger LOG = Logger.getLogger(BucketAdmin.class);

    /** Exit code when every item is applied, as expected, or not supported by the server. */
    public static final int OK = 0;
    /** Exit code when an item drifted or a request failed. */
    public static final int FAILED = 1;

    static final String UNSUPPORTED = "not supported by this server";
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

    /**
     * What the bucket should have beyond the fixed parts of {@link BucketConfiguration}.
     *
     * @param corsOrigins the browser origins allowed by the bucket's CORS rule: the service's
     *                    {@code ALLOWED_ORIGINS}; at least one, none blank, none a regular expression
     * @param versioning  whether versioning must be enabled ({@code REELVAULT_STORAGE_S3_VERSIONING})
     */
    public record Wanted(List<String> corsOrigins, boolean versioning) {
        /** @throws IllegalArgumentException naming {@code ALLOWED_ORIGINS} when the origins cannot make a CORS rule */
        public Wanted {
            corsOrigins = List.copyOf(corsOrigins);
            try {
                BucketConfiguration.cors(corsOrigins);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ALLOWED_ORIGINS: " + e.getMessage(), e);
            }
            for (String origin : corsOrigins) {
                String o = origin.strip();
                if (o.length() > 1 && o.startsWith("/") && o.endsWith("/")) {
                    throw new IllegalArgumentException(
                            "ALLOWED_ORIGINS: " + o + " is a regular expression, which S3 CORS"
                                    + " rules cannot hold (they take literal origins with at most one '*')");
                }
            }
        }
    }

    private final S3AsyncClient s3;
    private final String bucket;
    private final Wanted wanted;

    /**
     * @param s3     a client with the bucket-admin permissions (endpoint, region and credentials set)
     * @param bucket an existing bucket
     * @param wanted the configurable parts
     */
    public BucketAdmin(S3AsyncClient s3, String bucket, Wanted wanted) {
        this.s3 = Objects.requireNonNull(s3);
        this.bucket = Objects.requireNonNull(bucket);
        this.wanted = Objects.requireNonNull(wanted);
    }

    /** Applies every item, one line each to {@code out}; returns {@link #OK} or {@link #FAILED}. */
    public int setup(Consumer<String> out) {
        int exit = OK;
        for (BucketItem item : BucketItem.all(s3, bucket, wanted)) {
            String line;
            try {
                call(item.apply());
                line = "applied " + item.name() + ": " + item.applied();
            } catch (Exception e) {
                if (S3Errors.isUnsupported(e)) {
                    line = "unsupported " + item.name() + ": " + UNSUPPORTED;
                } else {
                    line = "error " + item.name() + ": " + describe(item.name(), e);
                    exit = FAILED;
                }
            }
            out.accept(line);
        }
        return exit;
    }

    /** Reads every item back and compares it, one line each to {@code out}; returns {@link #OK} or {@link #FAILED}. */
    public int verify(Consumer<String> out) {
        int exit = OK;
        for (BucketItem item : BucketItem.all(s3, bucket, wanted)) {
            String line;
            try {
                String drift = call(item.check());
                if (drift == null) {
                    line = "ok " + item.name();
                } else {
                    line = "drift " + item.name() + ": " + drift;
                    exit = FAILED;
                }
            } catch (Exception e) {
                if (S3Errors.isUnsupported(e)) {
                    line = "unsupported " + item.name() + ": " + UNSUPPORTED;
                } else if (S3Errors.isNotConfigured(e)) {
                    line = "drift " + item.name() + ": none set";
                    exit = FAILED;
                } else {
                    line = "error " + item.name() + ": " + describe(item.name(), e);
                    exit = FAILED;
                }
            }
            out.accept(line);
        }
        return exit;
    }

    // --- failures

    /** The request's result; its failure unwrapped to the SDK's exception. */
    private static <T> T call(Supplier<? extends CompletableFuture<? extends T>> request) throws Exception {
        CompletableFuture<? extends T> future = request.get();
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = S3Errors.unwrap(e);
            if (cause instanceof Exception x) {
                throw x;
            }
            if (cause instanceof Error x) {
                throw x;
            }
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    /**
     * The S3 error code and status, or a short description of a failure before S3 answered. Never the SDK's
     * message (it may quote the request); that goes to the log with the request id.
     */
    private static String describe(String item, Throwable e) {
        if (e instanceof S3Exception s) {
            String code = S3Errors.code(s);
            LOG.warnf("bucket %s: S3 answered %d %s (request id %s)", item, s.statusCode(), code, s.requestId());
            return (code == null || code.isEmpty() ? "" : code + " ") + "(HTTP " + s.statusCode() + ")";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        LOG.warnf(
                "bucket %s: the request failed before S3 answered: %s%s",
                item, e, root == e ? "" : " (cause: " + root + ")");
        LOG.debugf(e, "bucket %s: the failure in full", item);
        if (e instanceof TimeoutException) {
            return "no answer within " + CALL_TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof SdkClientException
                && e.getMessage() != null
                && e.getMessage().startsWith("Unable to load credentials")) {
            return "no credentials found (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role)";
        }
        if (e instanceof SdkClientException) {
            // the network layer's own words ("socket connection refused", an unknown host name), never the SDK's
            String why = root instanceof SdkClientException
                            || root.getMessage() == null
                            || root.getMessage().isBlank()
                    ? root.getClass().getSimpleName()
                    : root.getMessage().strip().replaceAll("\\.$", "");
            return "cannot reach S3: " + why.lines().findFirst().orElse(why) + " (details in the log)";
        }
        return e.getClass().getSimpleName() + " (details in the log)";
    }
}
