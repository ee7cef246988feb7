package io.reelvault.browser;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.browser.BrowserS3Profile;

/**
 * {@link ConsoleBrowserTest} on S3 (s3proxy with the bucket's shipped CORS rule and SSE-S3): the console's uploads go
 * straight to the bucket (presigned PUT with its signed headers; UploadPart URLs), its previews, clips and downloads
 * come from presigned GETs, and its Content-Security-Policy names the bucket's origin, computed from the S3 settings.
 */
@QuarkusTest
@TestProfile(BrowserS3Profile.class)
class ConsoleBrowserS3Test extends ConsoleBrowserTest {
    @Override
    String storageOrigin() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.s3.endpoint-override", String.class)
                .replaceAll("/$", "");
    }

    @Override
    String screenshotSuffix() {
        return "-s3";
    }
}
