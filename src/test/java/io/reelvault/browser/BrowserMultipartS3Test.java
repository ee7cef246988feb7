package io.reelvault.browser;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.browser.BrowserMultipartS3Profile;

/**
 * The Uppy cases on S3: the parts go from the page straight to s3proxy with presigned UploadPart URLs, under the
 * bucket CORS rule we ship ({@code deploy/s3-cors-config.json}, which exposes {@code ETag}), SSE-S3.
 */
@QuarkusTest
@TestProfile(BrowserMultipartS3Profile.class)
class BrowserMultipartS3Test extends BrowserMultipartTest {
    @Override
    String backend() {
        return "s3";
    }

    @Override
    S3FaultProxy network() {
        return S3ProxyResource.faultProxy();
    }
}
