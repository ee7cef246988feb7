package io.reelvault.browser;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.browser.BrowserS3Profile;
import java.util.Set;

/**
 * The browser cases on S3: uploads go straight to s3proxy, whose CORS rule is the one we ship
 * ({@code deploy/s3-cors-config.json}) for the allowed origin; videos and ranges are read from SigV4 presigned URLs.
 */
@QuarkusTest
@TestProfile(BrowserS3Profile.class)
class BrowserApiS3Test extends BrowserApiTest {
    /** Signed with the PUT: its type, the production default encryption, and create-only. */
    @Override
    Set<String> requiredUploadHeaders() {
        return Set.of("Content-Type", "If-None-Match", "x-amz-server-side-encryption");
    }
}
