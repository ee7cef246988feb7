package io.reelvault.storage.s3;

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
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.NoncurrentVersionTransition;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;

/**
 * What {@code bucket verify} ({@link BucketAdmin#verify}) compares: meaning, not form. Each configuration becomes
 * flat "member -> value" maps (the order of rules, origins, methods and headers does not matter, header names
 * compare case-insensitively, a lifecycle rule's prefix may be given as {@code Filter.Prefix},
 * {@code Filter.And.Prefix} or the legacy {@code Prefix}), and two of them differ by a text for the drift line.
 * Lifecycle rules are matched by {@code ID}, CORS and encryption rules by content.
 */
final class BucketDrift {
    private BucketDrift() {}

    // --- semantic forms: each configuration as flat "member -> value" maps, with sets sorted

    static Map<String, String> flags(PublicAccessBlockConfiguration c) {
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
    static List<Map<String, String>> sse(ServerSideEncryptionConfiguration c) {
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
    static List<Map<String, String>> cors(List<CORSRule> rules) {
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
        put(m, "Transitions", set(r.transitions(), BucketDrift::transition));
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
        put(m, "NoncurrentVersionTransitions", set(r.noncurrentVersionTransitions(), BucketDrift::transition));
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
        Set<String> keys = new TreeSet<>(expected.keySet());
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
}
