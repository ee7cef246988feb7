package io.reelvault.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RateLimitProfile} with the buckets on a real Redis ({@link RedisResource}), reached through a
 * {@link TcpFaultProxy} (pass mode unless a test injects a fault); local storage. Redis' deadline is 500 ms instead
 * of 150 ms: on a test machine shared by several builds, calls through the proxy's threads missed 150 ms under the
 * load of 20 clients, which made every bucket fail open (the test asserts fail-fast and "never hangs", not speed).
 * The circuit breakers cool down for 1 s instead of 5 s, so that the fault tests get back onto Redis sooner.
 */
public class RateLimitRedisProfile extends RateLimitProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("reelvault.redis.timeout", "500ms");
        overrides.put(
                "reelvault.cache.breaker-cool-down", "1s"); // back on Redis 1 s after a fault, not 5: a shorter test
        return overrides;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisResource.class, Map.of(RedisResource.PROXY, "true")));
    }
}
