package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** The tus-js-client run again on the S3 backend (s3proxy): parts of the backend's part size, tails between PATCHes. */
@QuarkusTest
@TestProfile(S3Profile.class)
class TusJsClientS3Test extends TusJsClientTest {
    /** Smaller on S3: s3proxy keeps the multipart upload, the assembled object and the published copy. */
    @Override
    int size() {
        return 40 * 1024 * 1024;
    }
}
