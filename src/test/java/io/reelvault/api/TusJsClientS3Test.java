package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** The tus-js-client runs again on the S3 backend (s3proxy): parts of the backend's part size, tails between PATCHes. */
@QuarkusTest
@TestProfile(S3Profile.class)
class TusJsClientS3Test extends TusJsClientTest {}
