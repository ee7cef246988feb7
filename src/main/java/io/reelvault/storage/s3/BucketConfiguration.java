package io.reelvault.storage.s3;

import io.reelvault.model.Area;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.CORSConfiguration;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionConfiguration;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.s3.model.Transition;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * The bucket's configuration as AWS SDK objects, derived from the retention table in
 * {@link Area}: lifecycle rules, CORS, default encryption and the public access block. The bucket
 * setup applies these objects; {@code deploy/s3-lifecycle-policy.json} and {@code deploy/s3-cors-config.json} hold
 * the same objects in the AWS CLI's JSON format (rendered, and kept equal to the committed files, by
 * {@code BucketConfigurationTest}).
 *
 * <p>The lifecycle rules assume an unversioned bucket. With versioning enabled, an expiration
 * only adds a delete marker and the data lives on as a noncurrent version, so rules for
 * noncurrent versions would be needed before turning versioning on.
 */
public final class BucketConfiguration {

    /** The origin allowed when {@code ALLOWED_ORIGINS} is not set: the Vite dev server. */
    public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of("http://localhost:5173");

    /** Age, in days after creation, at which long-lived objects move to Intelligent-Tiering. */
    public static final int TIERING_AFTER_DAYS = 30;

    /** Age, in days after initiation, at which an unfinished multipart upload is aborted. */
    public static final int ABORT_INCOMPLETE_MULTIPART_AFTER_DAYS = 1;

    /** Id of the bucket-wide rule that aborts unfinished multipart uploads. */
    public static final String ABORT_RULE_ID =
            "abort-incomplete-multipart-" + ABORT_INCOMPLETE_MULTIPART_AFTER_DAYS + "d";

    /** How long a browser may cache a CORS preflight answer, in seconds. */
    public static final int CORS_MAX_AGE_SECONDS = 3600;

    private static final List<String> CORS_METHODS = List.of("GET", "PUT", "POST");
    /**
     * What a browser may send: the type and length of a presigned PUT, the headers its signature covers
     * ({@code x-amz-server-side-encryption} when the service requests encryption, {@code If-None-Match: *} which
     * makes the PUT create-only), the SigV4 header forms, and {@code Range} on a presigned GET (a page's own ranged
     * read; only a plain {@code bytes=N-M} is CORS-safelisted, a suffix range such as {@code bytes=-500} is not).
     */
    private static final List<String> CORS_ALLOWED_HEADERS = List.of(
            "Content-Type",
            "Content-Length",
            "Authorization",
            "X-Amz-Date",
            "X-Amz-Security-Token",
            "x-amz-server-side-encryption",
            "If-None-Match",
            "Range");

    /**
     * What a page may read of an answer beyond the CORS-safelisted headers: a PUT's {@code ETag} (a part's, for
     * multipart), and of a ranged GET its {@code Content-Range} (the total size), {@code Accept-Ranges} and
     * {@code Content-Length}: the same as the service exposes of its own answers ({@code quarkus.http.cors.exposed-headers}).
     */
    private static final List<String> CORS_EXPOSED_HEADERS =
            List.of("ETag", "Content-Range", "Accept-Ranges", "Content-Length");

    private BucketConfiguration() {}

    /**
     * The lifecycle rules, all enabled, in this order:
     * <ol>
     * <li>{@code expire-{segment}-{N}d}: for each {@link Area} with a retention, in the enum's
     * order, objects under {@code {segment}/} expire N days after creation (S3 rounds up to the
     * next 00:00 UTC). An area without a retention ({@code uploads/}) gets no expiration.</li>
     * <li>{@code tier-{segment}-30d}: objects under {@code {segment}/} move to
     * {@code INTELLIGENT_TIERING} 30 days after creation, only for areas whose objects outlive
     * those 30 days (no retention, or a retention longer than 30 days: {@code uploads/} and
     * {@code compositions/}). Where an object expires at or before day 30
     * ({@code generations/}, {@code temp/}) a transition would be paid for (one request per
     * object, and Intelligent-Tiering's monitoring fee) and then be followed by the deletion the
     * same day or never happen at all. S3 never tiers objects under 128 KiB (their transition is
     * skipped), so small files such as {@code metadata.json} stay in Standard anyway.</li>
     * <li>{@value #ABORT_RULE_ID}: for the whole bucket (empty prefix), multipart uploads not
     * completed 1 day after they were initiated are aborted and their parts deleted.</li>
     * </ol>
     *
     * @throws IllegalStateException if a retention in the table is not a positive whole number of days
     */
    public static BucketLifecycleConfiguration lifecycle() {
        List<LifecycleRule> rules = new ArrayList<>();
        for (Area area : Area.values()) {
            area.retention()
                    .ifPresent(retention -> rules.add(LifecycleRule.builder()
                            .id(expireRuleId(area))
                            .status(ExpirationStatus.ENABLED)
                            .filter(prefixFilter(area))
                            .expiration(LifecycleExpiration.builder()
                                    .days(days(area, retention))
                                    .build())
                            .build()));
        }
        for (Area area : Area.values()) {
            if (outlivesTieringAge(area)) {
                rules.add(LifecycleRule.builder()
                        .id(tierRuleId(area))
                        .status(ExpirationStatus.ENABLED)
                        .filter(prefixFilter(area))
                        .transitions(Transition.builder()
                                .days(TIERING_AFTER_DAYS)
                                .storageClass(TransitionStorageClass.INTELLIGENT_TIERING)
                                .build())
                        .build());
            }
        }
        rules.add(LifecycleRule.builder()
                .id(ABORT_RULE_ID)
                .status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix("").build())
                .abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder()
                        .daysAfterInitiation(ABORT_INCOMPLETE_MULTIPART_AFTER_DAYS)
                        .build())
                .build());
        return BucketLifecycleConfiguration.builder().rules(rules).build();
    }

    /**
     * The id of the rule expiring {@code area}'s objects, e.g. {@code expire-temp-7d}.
     *
     * @throws IllegalArgumentException if the area has no retention
     */
    public static String expireRuleId(Area area) {
        Duration retention = area.retention()
                .orElseThrow(() -> new IllegalArgumentException(area + " is kept until deleted: no expiration rule"));
        return "expire-" + area.segment() + "-" + days(area, retention) + "d";
    }

    /** The id of the rule moving {@code area}'s objects to Intelligent-Tiering, e.g. {@code tier-uploads-30d}. */
    public static String tierRuleId(Area area) {
        return "tier-" + area.segment() + "-" + TIERING_AFTER_DAYS + "d";
    }

    /**
     * Whether {@code area}'s objects live longer than {@value #TIERING_AFTER_DAYS} days (no
     * retention, or a retention of more than {@value #TIERING_AFTER_DAYS} days), which is when
     * {@link #lifecycle()} gives it an Intelligent-Tiering transition.
     */
    public static boolean outlivesTieringAge(Area area) {
        return area.retention()
                .map(r -> r.compareTo(Duration.ofDays(TIERING_AFTER_DAYS)) > 0)
                .orElse(true);
    }

    /**
     * The CORS configuration for browsers using presigned URLs: one rule allowing GET, PUT and
     * POST from {@code allowedOrigins}, the request headers a presigned upload sends (and {@code Range}),
     * {@code ETag}, {@code Content-Range}, {@code Accept-Ranges} and {@code Content-Length} exposed, preflight
     * answers cached {@value #CORS_MAX_AGE_SECONDS} seconds.
     *
     * @param allowedOrigins the origins, e.g. {@code ALLOWED_ORIGINS} split at commas; each is
     *                       stripped of surrounding white space; at least one, none blank
     * @throws IllegalArgumentException if the list is empty or an origin is blank
     */
    public static CORSConfiguration cors(List<String> allowedOrigins) {
        List<String> origins = new ArrayList<>();
        for (String origin : allowedOrigins) {
            if (origin == null || origin.isBlank()) {
                throw new IllegalArgumentException("a CORS origin is blank: " + allowedOrigins);
            }
            origins.add(origin.strip());
        }
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("at least one CORS origin is needed");
        }
        return CORSConfiguration.builder()
                .corsRules(CORSRule.builder()
                        .allowedOrigins(origins)
                        .allowedMethods(CORS_METHODS)
                        .allowedHeaders(CORS_ALLOWED_HEADERS)
                        .exposeHeaders(CORS_EXPOSED_HEADERS)
                        .maxAgeSeconds(CORS_MAX_AGE_SECONDS)
                        .build())
                .build();
    }

    /** Default encryption at rest: SSE-S3 ({@code AES256}), which costs nothing and needs no KMS permission. */
    public static ServerSideEncryptionConfiguration encryption() {
        return ServerSideEncryptionConfiguration.builder()
                .rules(ServerSideEncryptionRule.builder()
                        .applyServerSideEncryptionByDefault(ServerSideEncryptionByDefault.builder()
                                .sseAlgorithm(ServerSideEncryption.AES256)
                                .build())
                        .build())
                .build();
    }

    /** Block all public access: public ACLs and public bucket policies are both refused and ignored. */
    public static PublicAccessBlockConfiguration publicAccessBlock() {
        return PublicAccessBlockConfiguration.builder()
                .blockPublicAcls(true)
                .ignorePublicAcls(true)
                .blockPublicPolicy(true)
                .restrictPublicBuckets(true)
                .build();
    }

    private static LifecycleRuleFilter prefixFilter(Area area) {
        return LifecycleRuleFilter.builder().prefix(area.segment() + "/").build();
    }

    private static int days(Area area, Duration retention) {
        long days = retention.toDays();
        if (days < 1 || !Duration.ofDays(days).equals(retention)) {
            throw new IllegalStateException(
                    "S3 lifecycle rules count whole days; the retention of " + area + " is " + retention);
        }
        return Math.toIntExact(days);
    }
}
