package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** Runs a @QuarkusTest on the local backend with a real Redis (started on a free port) for the shared state. */
public class RedisProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisResource.class));
    }
}
