package io.reelvault.cache;

import io.reelvault.redis.RedisConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/** What the shared state runs on, for health details: Redis (and whether it answers) or in-process. */
@ApplicationScoped
public class CacheProbe {
    /** The backing of the shared state. */
    public enum Status {
        IN_PROCESS,
        REDIS_UP,
        REDIS_DOWN
    }

    private final RedisConnection redis;

    public CacheProbe(RedisConnection redis) {
        this.redis = redis;
    }

    /** In-process at once; with Redis, a PING within the Redis deadline. Never fails. */
    public Uni<Status> status() {
        return redis.calls()
                .map(calls -> calls.send(Request.cmd(Command.PING))
                        .map(pong -> Status.REDIS_UP)
                        .onFailure()
                        .recoverWithItem(Status.REDIS_DOWN))
                .orElseGet(() -> Uni.createFrom().item(Status.IN_PROCESS));
    }
}
