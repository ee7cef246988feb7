package io.reelvault.redis;

import io.reelvault.cluster.ClusterLock;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * A {@link ClusterLock} shared by every replica using one Redis: a lease {@code SET reelvault:lock:{name}
 * {token} NX PX {ttl}}, where the token is 128 random bits of this holder.
 *
 * <p><b>Held.</b> While held, the lease is renewed every third of its ttl by a script that extends it only if
 * it still holds our token; closing deletes it through a script that deletes only our token, so a late close
 * (after the lease expired and another replica took it) never frees someone else's lock. A holder that dies
 * keeps the others out for at most the ttl. If the lease is lost anyway (Redis unreachable for longer than the
 * remaining lease, or a Redis restart without persistence), a warning says so: another replica may then run
 * the same work at the same time, which the work must tolerate (the usage scan does).
 *
 * <p><b>Redis unavailable.</b> {@link #tryLock} answers empty, without throwing: the run is skipped (fail
 * closed), and {@link RedisCalls} logs the outage once. A SET that missed the deadline may still have reached
 * Redis; its lease is then given back at once (best effort, by token), and otherwise expires after the ttl.
 *
 * <p>Not reentrant: a second {@link #tryLock} while held answers empty, as does any other holder's.
 * Blocking (at most the call deadline; {@link RedisCalls#call}): for scheduled jobs on worker threads, never on an
 * event-loop thread. The renewals are blocking calls on the renewal thread. Both scripts run by their SHA-1
 * ({@link LuaScript}); the release is {@link LuaScript#COMPARE_AND_DELETE}.
 */
public final class RedisClusterLock implements ClusterLock {
    private static final Logger LOG = Logger.getLogger(RedisClusterLock.class);
    static final String KEY_PREFIX = "reelvault:lock:";
    /** KEYS[1] given ARGV[2] more milliseconds only if it holds ARGV[1] (our token); answers 1 if renewed, else 0. */
    static final LuaScript RENEW = LuaScript.of(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final String key;
    private final RedisCalls redis;
    private final long ttlMillis;
    private final ScheduledExecutorService renewals;

    /**
     * @param name     the lock's name (the key is {@code reelvault:lock:{name}})
     * @param redis    the calls, with their deadline
     * @param ttl      the lease, at least 1 second
     * @param renewals runs the renewals of held leases (blocking calls of at most the deadline each)
     */
    public RedisClusterLock(String name, RedisCalls redis, Duration ttl, ScheduledExecutorService renewals) {
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("REELVAULT_REDIS_LOCK_TTL must be at least 1s");
        }
        this.name = name;
        this.key = KEY_PREFIX + name;
        this.redis = redis;
        this.ttlMillis = ttl.toMillis();
        this.renewals = renewals;
    }

    /** The Redis key of this lock. */
    public String key() {
        return key;
    }

    @Override
    public Optional<Held> tryLock() {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        Response answer;
        try {
            answer = redis.call(Request.cmd(Command.SET)
                    .arg(key)
                    .arg(token)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttlMillis));
        } catch (RedisUnavailableException e) {
            // the SET may have reached Redis after all: give the lease back rather than keep everybody out
            redis.eval(LuaScript.COMPARE_AND_DELETE, List.of(key), List.of(token))
                    .subscribe()
                    .with(ignored -> {}, ignored -> {});
            LOG.debugf("cluster lock '%s' not taken: %s", name, e.getMessage());
            return Optional.empty();
        }
        if (answer == null) {
            return Optional.empty(); // NX refused: another holder's lease is in place
        }
        return Optional.of(new Lease(token));
    }

    private final class Lease implements Held {
        private final String token;
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final ScheduledFuture<?> renewal;

        Lease(String token) {
            this.token = token;
            long period = ttlMillis / 3;
            this.renewal = renewals.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        private void renew() {
            if (!open.get()) {
                return;
            }
            try {
                Response renewed = redis.call(RENEW, List.of(key), List.of(token, ttlMillis));
                if ((renewed == null || renewed.toLong() == 0) && open.compareAndSet(true, false)) {
                    LOG.warnf(
                            "lost the cluster lock '%s' while holding it (its lease expired or Redis lost it):"
                                    + " another replica may do the same work meanwhile",
                            name);
                    throw new LeaseLost(); // ends the renewals
                }
            } catch (RedisUnavailableException e) {
                // logged once per outage; the next renewal tries again while the lease lasts
            } catch (LeaseLost e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.debugf("renewing the cluster lock '%s': %s", name, e); // keep renewing
            }
        }

        @Override
        public void close() {
            renewal.cancel(false);
            if (!open.compareAndSet(true, false)) {
                return; // closed before, or lost
            }
            try {
                redis.call(LuaScript.COMPARE_AND_DELETE, List.of(key), List.of(token));
            } catch (RedisUnavailableException e) {
                LOG.debugf("cluster lock '%s' not released (%s): its lease expires by itself", name, e.getMessage());
            }
        }
    }

    /** Thrown out of a renewal to stop the schedule; never escapes the executor. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super(null, null, false, false);
        }
    }
}
