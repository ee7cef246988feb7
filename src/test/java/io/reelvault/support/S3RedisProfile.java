package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** Runs a @QuarkusTest against the S3 backend on s3proxy, with a real Redis for the shared state. */
public class S3RedisProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class), new TestResourceEntry(RedisResource.class));
    }
}
