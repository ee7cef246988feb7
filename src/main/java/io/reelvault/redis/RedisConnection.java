package io.reelvault.redis;

import io.reelvault.config.ReelvaultConfig;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The service's Redis, when {@code REELVAULT_REDIS_URL} is set. Quarkus' default Redis client is looked up only
 * then: without the URL {@code quarkus.redis.hosts} is unset, the client bean is inactive, and nothing is ever
 * created or connected. Every call goes through {@link RedisCalls} (deadline {@code REELVAULT_REDIS_TIMEOUT}).
 */
@Singleton
public class RedisConnection {
    private final Optional<RedisCalls> calls;

    @Inject
    RedisConnection(ReelvaultConfig config, Instance<Redis> client) {
        ReelvaultConfig.Redis redis = config.redis();
        this.calls =
                redis.url().filter(url -> !url.isBlank()).map(url -> new RedisCalls(client.get(), redis.timeout()));
        calls.ifPresent(RedisCalls::warmUp);
    }

    /** The calls on the configured Redis; empty when no Redis is configured. */
    public Optional<RedisCalls> calls() {
        return calls;
    }
}
