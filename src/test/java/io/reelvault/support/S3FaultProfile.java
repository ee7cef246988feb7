package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** Runs a @QuarkusTest against S3 (s3proxy, SSE AES256) through a fault-injecting proxy: {@link S3FaultProxyResource}. */
public class S3FaultProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3FaultProxyResource.class));
    }
}
