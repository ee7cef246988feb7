package io.reelvault.support;

import java.util.List;

/** {@link RateLimitProfile} with the buckets on a real Redis ({@link RedisResource}); local storage. */
public class RateLimitRedisProfile extends RateLimitProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisResource.class));
    }
}
