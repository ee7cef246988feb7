package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;
import io.reelvault.support.S3ProxyResource;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** The usage endpoint and gauges again, on the S3 backend; planted objects go straight to the bucket. */
@QuarkusTest
@TestProfile(S3Profile.class)
class UsageApiS3Test extends UsageApiTest {
    @Override
    void plant(String key, byte[] data) {
        try (S3AsyncClient s3 = S3ProxyResource.server().client()) {
            s3.putObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key), AsyncRequestBody.fromBytes(data))
                    .join();
        }
    }

    @Override
    void unplant(String key) {
        try (S3AsyncClient s3 = S3ProxyResource.server().client()) {
            s3.deleteObject(b -> b.bucket(S3ProxyResource.BUCKET).key(key)).join();
        }
    }
}
