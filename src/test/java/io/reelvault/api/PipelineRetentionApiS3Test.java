package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** The never-serve rule on S3 (deleting is the bucket lifecycle's job there, so nothing is swept). */
@QuarkusTest
@TestProfile(S3Profile.class)
class PipelineRetentionApiS3Test extends PipelineRetentionApiTest {
    @Override
    boolean swept() {
        return false;
    }
}
