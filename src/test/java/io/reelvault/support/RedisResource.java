package io.reelvault.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a {@link RedisServer} for a @QuarkusTest profile and points the service at it
 * ({@code reelvault.redis.url}, which {@code application.properties} turns into {@code quarkus.redis.hosts}).
 * Attached only through a profile ({@link S3RedisProfile}), so no other test sees a Redis. With the init argument
 * {@code proxy=true} ({@link RateLimitRedisProfile}) the service reaches Redis through a {@link TcpFaultProxy}, which a
 * test can freeze or reset ({@link #proxy()}); in its pass mode it changes nothing.
 */
public class RedisResource implements QuarkusTestResourceLifecycleManager {
    /** The init argument that puts a {@link TcpFaultProxy} between the service and Redis. */
    public static final String PROXY = "proxy";

    private static RedisServer server;
    private static TcpFaultProxy proxy;
    private boolean proxied;

    /** The running server (to take locks beside the service, or to stop it). */
    public static RedisServer server() {
        return server;
    }

    /** The proxy between the service and {@link #server()}; null unless the profile asked for one. */
    public static TcpFaultProxy proxy() {
        return proxy;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        proxied = Boolean.parseBoolean(initArgs.getOrDefault(PROXY, "false"));
    }

    @Override
    public Map<String, String> start() {
        server = RedisServer.launch();
        if (!proxied) {
            proxy = null;
            return Map.of("reelvault.redis.url", server.url());
        }
        proxy = TcpFaultProxy.to(server.port());
        return Map.of("reelvault.redis.url", "redis://127.0.0.1:" + proxy.port() + "/0");
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (server != null) {
            server.close();
        }
    }
}
