package io.reelvault.redis;

import io.reelvault.cache.CacheProbe;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@link CacheProbe}: a PING on the configured Redis (reactive), or in-process when none is configured. */
@ApplicationScoped
public class RedisCacheProbe implements CacheProbe {
    private final RedisConnection redis;

    public RedisCacheProbe(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public Uni<Status> status() {
        return redis.calls()
                .map(calls -> calls.send(Request.cmd(Command.PING))
                        .map(pong -> Status.REDIS_UP)
                        .onFailure()
                        .recoverWithItem(Status.REDIS_DOWN))
                .orElseGet(() -> Uni.createFrom().item(Status.IN_PROCESS));
    }
}
