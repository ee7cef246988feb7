package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * Runs a @QuarkusTest on the local backend with a real Redis (started on a free port) for the shared state. Redis'
 * deadline is 1 s instead of 150 ms: the classes on this profile test what Redis decides (single flight, reuse,
 * usage totals), and on a test machine shared by several builds a burst of 20 requests missed 150 ms, opened the
 * breaker and failed every decision open (by design, and tested on its own with a frozen Redis). The deadline's
 * own behaviour is tested by {@link RateLimitRedisProfile}'s classes and the cache's unit tests.
 */
public class RedisProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        // back on Redis 1 s after a fault, not 5: a shorter outage test (GenerationReuseRedisApiTest)
        return Map.of("reelvault.redis.timeout", "1s", "reelvault.cache.breaker-cool-down", "1s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisResource.class));
    }
}
