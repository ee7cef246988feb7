package io.reelvault.redis;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Every Redis call of the service goes through here, so that each one has a deadline and an outage is logged
 * once: a warning at the first failure, an info line when a call succeeds again, nothing in between. Messages
 * name the failure, never the URL (its user-info part, which may hold a password, is masked wherever it
 * appears in an underlying message).
 *
 * <p>The client reconnects by itself: after an outage the next call opens a new connection, nothing is
 * re-created.
 *
 * <p><b>Reactive or blocking.</b> {@link #send} and {@link #eval} answer a {@link Uni}: the request path (similar
 * cache, rate limits, document leases, health) uses only those, on the event loop. The {@code call} methods wait for
 * the answer (at most the deadline) and are only for code that runs on a worker or a thread of its own: the cluster
 * locks (scheduled jobs and the lock renewal thread) and the usage scanner's shared totals.
 */
public final class RedisCalls {
    private static final Logger LOG = Logger.getLogger(RedisCalls.class);
    private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^@/\\s]*@");

    private static final int WARM_UP_SECONDS = 5;

    private final Redis redis;
    private final Duration timeout;
    private final AtomicBoolean down = new AtomicBoolean();

    /**
     * @param redis   the client (Quarkus' default client, or one a test made)
     * @param timeout the deadline of each call, connecting included
     */
    public RedisCalls(Redis redis, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("REELVAULT_REDIS_TIMEOUT must be positive");
        }
        this.redis = redis;
        this.timeout = timeout;
    }

    /** The deadline of each call. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Sends {@code request}. The answer ({@code null} for a nil reply) arrives within the deadline, or the Uni
     * fails with a {@link RedisUnavailableException}; an answer arriving later is dropped.
     */
    public Uni<Response> send(Request request) {
        return guarded(redis.send(request));
    }

    /**
     * Runs {@code script} by its SHA-1, and by its text when Redis does not hold it yet; one deadline covers both.
     * The answer and failures are those of {@link #send}.
     */
    Uni<Response> eval(LuaScript script, List<String> keys, List<?> args) {
        return guarded(redis.send(script.request(false, keys, args))
                .onFailure(LuaScript::isNoScript)
                .recoverWithUni(() -> redis.send(script.request(true, keys, args))));
    }

    private Uni<Response> guarded(Uni<Response> call) {
        return call.ifNoItem()
                .after(timeout)
                .failWith(() -> new DeadlineMissed(timeout))
                .onItem()
                .invoke(this::up)
                .onFailure()
                .transform(this::unavailable);
    }

    /**
     * {@link #send} and waits for it: blocking, so not on an event-loop thread.
     *
     * @return the answer, {@code null} for a nil reply
     * @throws RedisUnavailableException when it failed or missed the deadline
     */
    public Response call(Request request) {
        return send(request).await().indefinitely();
    }

    /**
     * {@link #eval} and waits for it: blocking, so not on an event-loop thread.
     *
     * @return the script's answer, {@code null} for a nil reply
     * @throws RedisUnavailableException when it failed or missed the deadline
     */
    Response call(LuaScript script, List<String> keys, List<?> args) {
        return eval(script, keys, args).await().indefinitely();
    }

    /**
     * Without waiting, pings Redis with a deadline of {@value #WARM_UP_SECONDS} s: loads the client's classes and
     * opens a connection, so that the first real call does not spend its deadline on that (in a cold JVM the
     * first call took over 150 ms here), and an unreachable Redis is reported (once) right away.
     */
    public void warmUp() {
        redis.send(Request.cmd(Command.PING))
                .ifNoItem()
                .after(Duration.ofSeconds(WARM_UP_SECONDS))
                .failWith(() -> new DeadlineMissed(Duration.ofSeconds(WARM_UP_SECONDS)))
                .subscribe()
                .with(this::up, this::unavailable);
    }

    private void up(Response ignored) {
        if (down.compareAndSet(true, false)) {
            LOG.info("Redis answers again");
        }
    }

    private Throwable unavailable(Throwable failure) {
        String what = failure instanceof DeadlineMissed ? failure.getMessage() : describe(failure);
        if (down.compareAndSet(false, true)) {
            LOG.warnf(
                    "Redis is unavailable (%s): until it answers again Redis locks are not taken, rate limits are not applied"
                            + " and the similar-generation cache is skipped",
                    what);
        }
        return new RedisUnavailableException(what, failure);
    }

    /** The failure's class and message, with any URL credentials masked. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return USER_INFO.matcher(text).replaceAll("$1***@");
    }

    /** No answer within the deadline. */
    private static final class DeadlineMissed extends Exception {
        DeadlineMissed(Duration deadline) {
            super("no answer within " + deadline.toMillis() + " ms", null, false, false);
        }
    }
}
