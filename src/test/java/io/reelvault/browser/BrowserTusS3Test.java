package io.reelvault.browser;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.browser.BrowserMultipartS3Profile;

/**
 * The Uppy tus cases on S3 (s3proxy with the shipped CORS rule, SSE-S3): the PATCHes go to the service, which keeps
 * the upload as a multipart upload of 5 MiB parts and the bytes that do not fill one in its tail.
 */
@QuarkusTest
@TestProfile(BrowserMultipartS3Profile.class)
class BrowserTusS3Test extends BrowserTusTest {
    @Override
    String backend() {
        return "s3";
    }

    @Override
    S3FaultProxy storageProxy() {
        return S3ProxyResource.faultProxy();
    }
}
