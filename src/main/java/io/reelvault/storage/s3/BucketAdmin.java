package io.reelvault.storage.s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CORSConfiguration;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.NoncurrentVersionTransition;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;

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
 * {@code ID} (lifecycle) or by content (CORS, whose rules have no required id).
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

    /** The S3 error codes that mean "this bucket has no such configuration" (a drift, not an error). */
    private static final Set<String> NOT_CONFIGURED = Set.of(
            "NoSuchLifecycleConfiguration",
            "NoSuchCORSConfiguration",
            "NoSuchPublicAccessBlockConfiguration",
            "ServerSideEncryptionConfigurationNotFoundError");

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
        for (Item item : items()) {
            String line;
            try {
                call(item.apply);
                line = "applied " + item.name + ": " + item.applied;
            } catch (Exception e) {
                if (isUnsupported(e)) {
                    line = "unsupported " + item.name + ": " + UNSUPPORTED;
                } else {
                    line = "error " + item.name + ": " + describe(item.name, e);
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
        for (Item item : items()) {
            String line;
            try {
                String drift = call(item.check);
                if (drift == null) {
                    line = "ok " + item.name;
                } else {
                    line = "drift " + item.name + ": " + drift;
                    exit = FAILED;
                }
            } catch (Exception e) {
                if (isUnsupported(e)) {
                    line = "unsupported " + item.name + ": " + UNSUPPORTED;
                } else if (isNotConfigured(e)) {
                    line = "drift " + item.name + ": none set";
                    exit = FAILED;
                } else {
                    line = "error " + item.name + ": " + describe(item.name, e);
                    exit = FAILED;
                }
            }
            out.accept(line);
        }
        return exit;
    }

    // --- the items

    private record Item(
            String name,
            String applied,
            Supplier<CompletableFuture<?>> apply,
            Supplier<CompletableFuture<String>> check) {}

    private List<Item> items() {
        BucketLifecycleConfiguration lifecycle = BucketConfiguration.lifecycle();
        CORSConfiguration cors = BucketConfiguration.cors(wanted.corsOrigins());
        List<Item> items = new ArrayList<>();
        items.add(new Item(
                "public-access-block",
                "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets all true",
                () -> s3.putPublicAccessBlock(
                        b -> b.bucket(bucket).publicAccessBlockConfiguration(BucketConfiguration.publicAccessBlock())),
                () -> s3.getPublicAccessBlock(b -> b.bucket(bucket))
                        .thenApply(r -> diff(
                                flags(BucketConfiguration.publicAccessBlock()),
                                flags(r.publicAccessBlockConfiguration())))));
        items.add(new Item(
                "encryption",
                "SSE-S3 (AES256) by default",
                () -> s3.putBucketEncryption(
                        b -> b.bucket(bucket).serverSideEncryptionConfiguration(BucketConfiguration.encryption())),
                () -> s3.getBucketEncryption(b -> b.bucket(bucket))
                        .thenApply(r -> diffRules(
                                sse(BucketConfiguration.encryption()), sse(r.serverSideEncryptionConfiguration())))));
        items.add(new Item(
                "lifecycle",
                lifecycle.rules().size() + " rules ("
                        + lifecycle.rules().stream().map(LifecycleRule::id).collect(Collectors.joining(", ")) + ")",
                () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(lifecycle)),
                () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket))
                        .thenApply(r -> diffLifecycle(lifecycle.rules(), r.rules()))));
        items.add(new Item(
                "cors",
                "GET, PUT, POST from "
                        + String.join(", ", cors.corsRules().get(0).allowedOrigins()),
                () -> s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(cors)),
                () -> s3.getBucketCors(b -> b.bucket(bucket))
                        .thenApply(r -> diffRules(cors(cors.corsRules()), cors(r.corsRules())))));
        if (wanted.versioning()) {
            items.add(new Item(
                    "versioning",
                    "Enabled (no lifecycle rule expires noncurrent versions:"
                            + " deleted and expired objects stay stored as such)",
                    () -> s3.putBucketVersioning(b ->
                            b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))),
                    () -> s3.getBucketVersioning(b -> b.bucket(bucket))
                            .thenApply(r -> diff(
                                    Map.of("Status", BucketVersioningStatus.ENABLED.toString()),
                                    r.statusAsString() == null ? Map.of() : Map.of("Status", r.statusAsString())))));
        }
        return items;
    }

    // --- semantic forms: each configuration as flat "member -> value" maps, with sets sorted

    private static Map<String, String> flags(PublicAccessBlockConfiguration c) {
        Map<String, String> m = new TreeMap<>();
        if (c != null) {
            put(m, "BlockPublicAcls", c.blockPublicAcls());
            put(m, "IgnorePublicAcls", c.ignorePublicAcls());
            put(m, "BlockPublicPolicy", c.blockPublicPolicy());
            put(m, "RestrictPublicBuckets", c.restrictPublicBuckets());
        }
        return m;
    }

    /** SSE rules; {@code BucketKeyEnabled} is left out: it only matters for SSE-KMS, which would differ anyway. */
    private static List<Map<String, String>> sse(ServerSideEncryptionConfiguration c) {
        List<Map<String, String>> rules = new ArrayList<>();
        if (c != null) {
            for (ServerSideEncryptionRule rule : c.rules()) {
                Map<String, String> m = new TreeMap<>();
                ServerSideEncryptionByDefault d = rule.applyServerSideEncryptionByDefault();
                if (d != null) {
                    put(m, "SSEAlgorithm", d.sseAlgorithmAsString());
                    put(m, "KMSMasterKeyID", d.kmsMasterKeyID());
                }
                rules.add(m);
            }
        }
        return rules;
    }

    /** CORS rules without their optional {@code ID}; methods upper-case, header names lower-case, lists as sorted sets. */
    private static List<Map<String, String>> cors(List<CORSRule> rules) {
        List<Map<String, String>> out = new ArrayList<>();
        for (CORSRule rule : rules) {
            Map<String, String> m = new TreeMap<>();
            put(m, "AllowedOrigins", set(rule.allowedOrigins(), Function.identity()));
            put(m, "AllowedMethods", set(rule.allowedMethods(), s -> s.toUpperCase(Locale.ROOT)));
            put(m, "AllowedHeaders", set(rule.allowedHeaders(), s -> s.toLowerCase(Locale.ROOT)));
            put(m, "ExposeHeaders", set(rule.exposeHeaders(), s -> s.toLowerCase(Locale.ROOT)));
            put(m, "MaxAgeSeconds", rule.maxAgeSeconds());
            out.add(m);
        }
        return out;
    }

    private static Map<String, String> lifecycleRule(LifecycleRule r) {
        Map<String, String> m = new TreeMap<>();
        put(m, "Status", r.statusAsString());
        LifecycleRuleFilter f = r.filter();
        LifecycleRuleAndOperator and = f == null ? null : f.and();
        String prefix = f != null && f.prefix() != null
                ? f.prefix()
                : and != null && and.prefix() != null ? and.prefix() : r.prefix();
        m.put("Prefix", prefix == null ? "" : prefix); // no prefix and an empty prefix both mean the whole bucket
        List<Tag> tags = new ArrayList<>();
        if (f != null && f.tag() != null) {
            tags.add(f.tag());
        }
        if (and != null) {
            tags.addAll(and.tags());
        }
        put(m, "Tags", set(tags, t -> t.key() + "=" + t.value()));
        put(
                m,
                "ObjectSizeGreaterThan",
                f == null
                        ? null
                        : f.objectSizeGreaterThan() != null
                                ? f.objectSizeGreaterThan()
                                : and == null ? null : and.objectSizeGreaterThan());
        put(
                m,
                "ObjectSizeLessThan",
                f == null
                        ? null
                        : f.objectSizeLessThan() != null
                                ? f.objectSizeLessThan()
                                : and == null ? null : and.objectSizeLessThan());
        if (r.expiration() != null) {
            put(m, "Expiration.Days", r.expiration().days());
            put(m, "Expiration.Date", r.expiration().date());
            put(m, "Expiration.ExpiredObjectDeleteMarker", r.expiration().expiredObjectDeleteMarker());
        }
        put(m, "Transitions", set(r.transitions(), BucketAdmin::transition));
        if (r.noncurrentVersionExpiration() != null) {
            put(
                    m,
                    "NoncurrentVersionExpiration.NoncurrentDays",
                    r.noncurrentVersionExpiration().noncurrentDays());
            put(
                    m,
                    "NoncurrentVersionExpiration.NewerNoncurrentVersions",
                    r.noncurrentVersionExpiration().newerNoncurrentVersions());
        }
        put(m, "NoncurrentVersionTransitions", set(r.noncurrentVersionTransitions(), BucketAdmin::transition));
        if (r.abortIncompleteMultipartUpload() != null) {
            put(
                    m,
                    "AbortIncompleteMultipartUpload.DaysAfterInitiation",
                    r.abortIncompleteMultipartUpload().daysAfterInitiation());
        }
        return m;
    }

    private static String transition(Transition t) {
        return t.storageClassAsString()
                + (t.days() != null ? " after " + t.days() + " days" : "")
                + (t.date() != null ? " on " + t.date() : "");
    }

    private static String transition(NoncurrentVersionTransition t) {
        return t.storageClassAsString() + " after " + t.noncurrentDays() + " noncurrent days"
                + (t.newerNoncurrentVersions() != null ? " keeping " + t.newerNoncurrentVersions() : "");
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    /** A list as a sorted set, in brackets; null for an empty list (an absent member). */
    private static <T> String set(Collection<T> values, Function<T, String> form) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.stream().map(form).sorted().distinct().collect(Collectors.joining(", ", "[", "]"));
    }

    // --- differences, as text for the drift line; null when equal

    /** {@code Member expected X, actual Y} for each differing member; "unset" for an absent one. */
    static String diff(Map<String, String> expected, Map<String, String> actual) {
        Set<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            String e = expected.get(key);
            String a = actual.get(key);
            if (!Objects.equals(e, a)) {
                out.add(key + " expected " + (e == null ? "unset" : e) + ", actual " + (a == null ? "unset" : a));
            }
        }
        return out.isEmpty() ? null : String.join("; ", out);
    }

    /** Rules without ids compared as multisets; one unmatched rule on each side is explained member by member. */
    static String diffRules(List<Map<String, String>> expected, List<Map<String, String>> actual) {
        List<Map<String, String>> missing = new ArrayList<>(expected);
        List<Map<String, String>> unexpected = new ArrayList<>();
        for (Map<String, String> rule : actual) {
            if (!missing.remove(rule)) {
                unexpected.add(rule);
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty()) {
            return null;
        }
        if (actual.isEmpty()) {
            return "none set";
        }
        if (missing.size() == 1 && unexpected.size() == 1) {
            return diff(missing.get(0), unexpected.get(0));
        }
        List<String> out = new ArrayList<>();
        out.add("rule count expected " + expected.size() + ", actual " + actual.size());
        missing.forEach(r -> out.add("missing " + r));
        unexpected.forEach(r -> out.add("unexpected " + r));
        return String.join("; ", out);
    }

    /** Lifecycle rules matched by ID: missing and unexpected ids, then each common rule's differing members. */
    static String diffLifecycle(List<LifecycleRule> expectedRules, List<LifecycleRule> actualRules) {
        Map<String, Map<String, String>> expected = byId(expectedRules);
        Map<String, Map<String, String>> actual = byId(actualRules);
        if (actual.isEmpty()) {
            return "none set";
        }
        List<String> out = new ArrayList<>();
        List<String> missing = expected.keySet().stream()
                .filter(id -> !actual.containsKey(id))
                .sorted()
                .toList();
        List<String> unexpected = actual.keySet().stream()
                .filter(id -> !expected.containsKey(id))
                .sorted()
                .toList();
        if (!missing.isEmpty()) {
            out.add("missing rules " + String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            out.add("unexpected rules " + String.join(", ", unexpected));
        }
        expected.keySet().stream().filter(actual::containsKey).sorted().forEach(id -> {
            String d = diff(expected.get(id), actual.get(id));
            if (d != null) {
                out.add(id + ": " + d);
            }
        });
        return out.isEmpty() ? null : String.join("; ", out);
    }

    private static Map<String, Map<String, String>> byId(List<LifecycleRule> rules) {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        int unnamed = 0;
        for (LifecycleRule rule : rules.stream()
                .sorted(Comparator.comparing(r -> String.valueOf(r.id())))
                .toList()) {
            String id = rule.id() == null || rule.id().isEmpty() ? "(rule without ID #" + ++unnamed + ")" : rule.id();
            m.put(id, lifecycleRule(rule));
        }
        return m;
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

    static boolean isUnsupported(Throwable e) {
        return e instanceof S3Exception s && (s.statusCode() == 501 || "NotImplemented".equals(code(s)));
    }

    private static boolean isNotConfigured(Throwable e) {
        return e instanceof S3Exception s && s.statusCode() == 404 && NOT_CONFIGURED.contains(code(s));
    }

    private static String code(S3Exception s) {
        return s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
    }

    /**
     * The S3 error code and status, or a short description of a failure before S3 answered. Never the SDK's
     * message (it may quote the request); that goes to the log with the request id.
     */
    private static String describe(String item, Throwable e) {
        if (e instanceof S3Exception s) {
            String code = code(s);
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
