package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.S3MockProcess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

/**
 * Lifecycle and versioning, on S3Mock in its own process (the only server here that implements them).
 * S3Mock mistakes the other sub-resources for bucket requests (a PUT of {@code ?cors} is a CreateBucket to
 * it, a GET a listing), so only the lifecycle and versioning lines are asserted here; CORS and the public
 * access block are {@link BucketAdminHttpTest}'s, encryption {@link BucketAdminS3ProxyTest}'s.
 */
class BucketAdminS3MockTest {
    static final String BUCKET = "reelvault-s3mock";
    static S3MockProcess mock;
    static S3AsyncClient s3;

    @BeforeAll
    static void start() throws Exception {
        mock = S3MockProcess.start(BUCKET);
        s3 = mock.client();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (s3 != null) {
                s3.close();
            }
        } finally {
            if (mock != null) {
                mock.close();
            }
        }
    }

    static String line(List<String> lines, String item) {
        return lines.stream()
                .filter(l -> l.matches("[a-z]+ " + item + "(:.*)?"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + item + " in " + lines));
    }

    @Test
    void setupAppliesLifecycleAndVersioningVerifyFindsThemAndThenTheirDrift() {
        BucketAdmin admin =
                new BucketAdmin(s3, BUCKET, new BucketAdmin.Wanted(List.of("https://app.example.com"), true));
        List<String> setup = new ArrayList<>();
        admin.setup(setup::add);
        assertEquals(
                "applied lifecycle: 6 rules (expire-generations-30d, expire-compositions-90d, expire-temp-7d,"
                        + " tier-uploads-30d, tier-compositions-30d, abort-incomplete-multipart-1d)",
                line(setup, "lifecycle"),
                mock.logText());
        assertTrue(line(setup, "versioning").startsWith("applied versioning: Enabled"), String.join("\n", setup));
        assertEquals(
                BucketVersioningStatus.ENABLED,
                s3.getBucketVersioning(b -> b.bucket(BUCKET)).join().status());
        assertEquals(
                BucketConfiguration.lifecycle().rules().size(),
                s3.getBucketLifecycleConfiguration(b -> b.bucket(BUCKET))
                        .join()
                        .rules()
                        .size());

        List<String> verify = new ArrayList<>();
        admin.verify(verify::add);
        assertEquals("ok lifecycle", line(verify, "lifecycle"), String.join("\n", verify));
        assertEquals("ok versioning", line(verify, "versioning"), String.join("\n", verify));

        // the same rules in reverse order are no drift
        List<LifecycleRule> reversed =
                new ArrayList<>(BucketConfiguration.lifecycle().rules());
        Collections.reverse(reversed);
        s3.putBucketLifecycleConfiguration(b -> b.bucket(BUCKET).lifecycleConfiguration(c -> c.rules(reversed)))
                .join();
        verify.clear();
        admin.verify(verify::add);
        assertEquals("ok lifecycle", line(verify, "lifecycle"));

        // someone shortens the temp rule, drops the multipart rule and adds one of their own
        List<LifecycleRule> changed = new ArrayList<>();
        for (LifecycleRule rule : BucketConfiguration.lifecycle().rules()) {
            if (rule.id().equals("expire-temp-7d")) {
                changed.add(rule.toBuilder()
                        .expiration(LifecycleExpiration.builder().days(3).build())
                        .build());
            } else if (!rule.id().equals(BucketConfiguration.ABORT_RULE_ID)) {
                changed.add(rule);
            }
        }
        changed.add(LifecycleRule.builder()
                .id("hand-made")
                .status("Enabled")
                .filter(f -> f.prefix("logs/"))
                .expiration(e -> e.days(1))
                .build());
        s3.putBucketLifecycleConfiguration(b -> b.bucket(BUCKET).lifecycleConfiguration(c -> c.rules(changed)))
                .join();
        s3.putBucketVersioning(
                        b -> b.bucket(BUCKET).versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)))
                .join();

        verify.clear();
        assertEquals(1, admin.verify(verify::add));
        assertEquals(
                "drift lifecycle: missing rules abort-incomplete-multipart-1d; unexpected rules hand-made;"
                        + " expire-temp-7d: Expiration.Days expected 7, actual 3",
                line(verify, "lifecycle"));
        assertEquals("drift versioning: Status expected Enabled, actual Suspended", line(verify, "versioning"));

        // and a bucket without any lifecycle configuration
        s3.deleteBucketLifecycle(b -> b.bucket(BUCKET)).join();
        verify.clear();
        assertEquals(1, admin.verify(verify::add));
        assertEquals("drift lifecycle: none set", line(verify, "lifecycle"));
    }
}
