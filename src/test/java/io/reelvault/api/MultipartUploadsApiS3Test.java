package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.MultipartS3Profile;
import io.reelvault.support.S3ProxyResource;

/** Every direct multipart upload test again, on the S3 backend: parts PUT to s3proxy with presigned UploadPart URLs. */
@QuarkusTest
@TestProfile(MultipartS3Profile.class)
class MultipartUploadsApiS3Test extends MultipartUploadsApiTest {
    @Override
    long inProgress(String user) {
        return S3ProxyResource.uploadsInProgress("uploads/" + user + "/");
    }

    @Override
    boolean localBackend() {
        return false;
    }
}
