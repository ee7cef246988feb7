package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** Runs a @QuarkusTest against the S3 backend on s3proxy. */
public class S3Profile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class));
    }
}
