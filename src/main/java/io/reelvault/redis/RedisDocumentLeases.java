package io.reelvault.redis;

import io.reelvault.cluster.DocumentLeases;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@link DocumentLeases} on Redis, used on the S3 backend when {@code REELVAULT_REDIS_URL} is set (the local backend's
 * conditional writes hold an OS lock already): {@code SET reelvault:lease:{key} {token} NX PX {ttl}}, the token 128
 * random bits of this holder, the ttl {@code REELVAULT_REDIS_LOCK_TTL}; given back by
 * {@link LuaScript#COMPARE_AND_DELETE}, which deletes only our token. Non-blocking (it runs in the request path, on the
 * event loop): a lease held elsewhere is asked for again every few milliseconds, for at most
 * {@link #WAIT}; then, or when Redis is unavailable (one call's deadline), the update runs without a lease, its
 * conditional write still in force. An update running past the ttl loses its lease the same way.
 */
@Singleton
public class RedisDocumentLeases implements DocumentLeases {
    private static final Logger LOG = Logger.getLogger(RedisDocumentLeases.class);
    static final String KEY_PREFIX = "reelvault:lease:";
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<RedisCalls> redis;
    private final long ttlMillis;

    @Inject
    RedisDocumentLeases(RedisConnection connection, ReelvaultConfig config) {
        this(
                config.storage().useLocal() ? Optional.empty() : connection.calls(),
                config.redis().lockTtl());
    }

    /** @param redis empty: no leases */
    public RedisDocumentLeases(Optional<RedisCalls> redis, Duration ttl) {
        this.redis = redis;
        this.ttlMillis = ttl.toMillis();
    }

    @Override
    public <T> Uni<T> around(ObjectKey key, Supplier<Uni<T>> action) {
        if (redis.isEmpty()) {
            return Uni.createFrom().deferred(action::get);
        }
        RedisCalls calls = redis.get();
        String lease = KEY_PREFIX + key.value();
        return Uni.createFrom().deferred(() -> {
            byte[] random = new byte[16];
            RANDOM.nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            return take(calls, lease, token, System.nanoTime() + WAIT.toNanos())
                    .chain(held -> Uni.createFrom()
                            .deferred(action::get)
                            .eventually(() -> held
                                    ? release(calls, lease, token)
                                    : Uni.createFrom().voidItem()));
        });
    }

    /** True once the lease is ours; false when it cannot be had (the update then runs without). */
    private Uni<Boolean> take(RedisCalls calls, String lease, String token, long deadline) {
        return calls.send(Request.cmd(Command.SET)
                        .arg(lease)
                        .arg(token)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttlMillis))
                .chain(answer -> {
                    if (answer != null) {
                        return Uni.createFrom().item(true);
                    }
                    if (System.nanoTime() > deadline) {
                        LOG.debugf(
                                "the lease of %s stayed taken for %d s: updating without it", lease, WAIT.toSeconds());
                        return Uni.createFrom().item(false);
                    }
                    return Uni.createFrom()
                            .voidItem()
                            .onItem()
                            .delayIt()
                            .by(Duration.ofMillis(ThreadLocalRandom.current().nextLong(2, 20)))
                            .chain(() -> take(calls, lease, token, deadline));
                })
                .onFailure(RedisUnavailableException.class)
                .recoverWithUni(() -> {
                    // logged once per outage by RedisCalls; the SET may have reached Redis all the same: give it back
                    release(calls, lease, token).subscribe().with(ignored -> {}, ignored -> {});
                    return Uni.createFrom().item(false);
                });
    }

    private static Uni<Void> release(RedisCalls calls, String lease, String token) {
        return calls.eval(LuaScript.COMPARE_AND_DELETE, List.of(lease), List.of(token))
                .replaceWithVoid()
                .onFailure()
                .recoverWithNull(); // expires by itself after the ttl
    }
}
