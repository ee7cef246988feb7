package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** Health, metrics, CORS and error hygiene again, on the S3 backend. */
@QuarkusTest
@TestProfile(S3Profile.class)
class OperationsApiS3Test extends OperationsApiTest {
    @Override
    String backend() {
        return "s3";
    }

    @Override
    boolean localBackend() {
        return false;
    }
}
