package io.reelvault.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a {@link RedisServer} for a @QuarkusTest profile and points the service at it
 * ({@code reelvault.redis.url}, which {@code application.properties} turns into {@code quarkus.redis.hosts}).
 * Attached only through a profile ({@link S3RedisProfile}), so no other test sees a Redis.
 */
public class RedisResource implements QuarkusTestResourceLifecycleManager {
    private static RedisServer server;

    /** The running server (to take locks beside the service, or to stop it). */
    public static RedisServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        server = RedisServer.launch();
        return Map.of("reelvault.redis.url", server.url());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
