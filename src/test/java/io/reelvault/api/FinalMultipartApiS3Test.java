package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.browser.BrowserS3Profile;

/**
 * Every direct multipart upload of a final again, on the S3 backend: parts PUT to s3proxy with presigned UploadPart
 * URLs, the verified final published with CopyObject.
 */
@QuarkusTest
@TestProfile(BrowserS3Profile.class)
class FinalMultipartApiS3Test extends FinalMultipartApiTest {
    @Override
    long inProgress(String composition) {
        return S3ProxyResource.uploadsInProgress("compositions/" + composition + "/");
    }
}
