package io.reelvault.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.ClusterLockContract;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisServer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisClusterLock} against a real redis-server, as two replicas would use it: each "replica" has its
 * own client and renewal thread. The contract's second holders are other replicas; the checks here are the lease's
 * own (its key and ttl, expiry, renewal, a late close) and Redis failing. Measured figures are printed with the
 * prefix {@code [measured]}.
 */
class RedisClusterLockTest extends ClusterLockContract {
    private static final Duration TIMEOUT = Duration.ofMillis(150);
    private static final String PASSWORD = "s3cret-pw-never-logged";

    static RedisServer server;
    static Vertx vertx;
    final List<Replica> replicas = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        server = RedisServer.launch(PASSWORD);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRedis() {
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeReplicas() {
        replicas.forEach(Replica::crash);
        server.start(); // a fault test may have left it stopped
    }

    /** One replica: its own client, calls and renewal thread. */
    final class Replica {
        final Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
        final RedisCalls calls = new RedisCalls(client, TIMEOUT);
        final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();

        Replica() {
            replicas.add(this);
        }

        RedisClusterLock lock(String name, Duration ttl) {
            return new RedisClusterLock(name, calls, ttl, renewals);
        }

        /** Opens the client's connection without the short deadline (a cold JVM's first connect can miss it). */
        Replica connected() {
            new RedisCalls(client, Duration.ofSeconds(10)).call(Request.cmd(Command.PING));
            return this;
        }

        /** The process dies: no renewal, no release, its connections drop. */
        void crash() {
            renewals.shutdownNow();
            client.close();
        }
    }

    /** The first call of a new client opens its connection (TCP, HELLO, AUTH) inside the same deadline. */
    @Test
    void aNewClientsFirstCallConnectsWithinTheDeadlineOnceWarm() {
        long[] firsts = new long[5];
        for (int i = 0; i < firsts.length; i++) {
            Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
            try {
                RedisCalls generous = new RedisCalls(client, Duration.ofSeconds(10));
                long start = System.nanoTime();
                String pong = generous.call(Request.cmd(Command.PING)).toString();
                firsts[i] = (System.nanoTime() - start) / 1_000_000;
                assertEquals("PONG", pong);
            } finally {
                client.close();
            }
        }
        System.out.printf(
                "[measured] first call (connect + HELLO + AUTH + PING) of new clients, ms: %s%n",
                Arrays.toString(firsts));
    }

    /** Takes and releases once, waiting as long as needed: the client is connected and the JVM warm. */
    static void warmUp(ClusterLock lock) {
        Poll.until(
                Duration.ofSeconds(10),
                "the first lock",
                () -> lock.tryLock()
                        .map(held -> {
                            held.close();
                            return true;
                        })
                        .orElse(false));
    }

    /** Each holder is a replica of its own, connected. */
    @Override
    protected ClusterLock lock(String name) {
        return new Replica().connected().lock(name, Duration.ofMinutes(1));
    }

    @Override
    protected ClusterLock contender(String name) {
        return lock(name);
    }

    @Test
    void aHeldLockIsALeaseWithItsTtlAndItsReleaseDeletesTheKey() {
        String name = freshName();
        ClusterLock.Held held = lock(name).tryLock().orElseThrow();
        String ttl = server.command("PTTL", "reelvault:lock:" + name);
        assertTrue(Long.parseLong(ttl.substring(1)) > 50_000, "a lease with the ttl: " + ttl);
        held.close();
        assertEquals("$-1", server.command("GET", "reelvault:lock:" + name), "released: the key is gone");
    }

    @Test
    void aCrashedHoldersLeaseExpiresAndAnotherTakesIt() {
        String name = freshName();
        Duration ttl = Duration.ofSeconds(1);
        Replica crashing = new Replica();
        assertTrue(crashing.lock(name, ttl).tryLock().isPresent());
        long crashed = System.nanoTime();
        crashing.crash();
        ClusterLock b = new Replica().lock(name, ttl);
        assertTrue(b.tryLock().isEmpty(), "the lease outlives its holder for up to the ttl");
        Optional<ClusterLock.Held>[] taken = new Optional[1];
        Poll.until(Duration.ofSeconds(5), "the lease to expire", () -> (taken[0] = b.tryLock()).isPresent());
        long millis = (System.nanoTime() - crashed) / 1_000_000;
        System.out.printf("[measured] a crashed holder's 1s lease was taken over %d ms after the crash%n", millis);
        assertTrue(millis >= 600, "not before (most of) the ttl: " + millis);
        taken[0].get().close();
    }

    @Test
    void aLateCloseNeverReleasesAnotherHoldersLease() {
        String name = freshName();
        Duration ttl = Duration.ofSeconds(1);
        Replica stalled = new Replica();
        ClusterLock.Held stale = stalled.lock(name, ttl).tryLock().orElseThrow();
        stalled.renewals.shutdownNow(); // a long pause: it stops renewing but still believes it holds the lock
        ClusterLock b = new Replica().lock(name, ttl);
        Optional<ClusterLock.Held>[] taken = new Optional[1];
        Poll.until(Duration.ofSeconds(5), "the stalled lease to expire", () -> (taken[0] = b.tryLock()).isPresent());
        String owner = server.command("GET", "reelvault:lock:" + name);
        stale.close(); // the non-owner's release: must do nothing
        assertEquals(owner, server.command("GET", "reelvault:lock:" + name), "still the new holder's token");
        assertTrue(new Replica().lock(name, ttl).tryLock().isEmpty(), "and still held");
        taken[0].get().close();
    }

    @Test
    void aHeldLeaseIsRenewedPastItsTtl() {
        String name = freshName();
        Duration ttl = Duration.ofSeconds(1);
        ClusterLock a = new Replica().lock(name, ttl);
        ClusterLock b = new Replica().lock(name, ttl);
        ClusterLock.Held held = a.tryLock().orElseThrow();
        long end = System.nanoTime() + Duration.ofMillis(3500).toNanos();
        while (System.nanoTime() < end) { // 3.5 ttls
            assertTrue(b.tryLock().isEmpty(), "renewed, so never free");
            sleep(200);
        }
        held.close();
        b.tryLock().orElseThrow().close();
    }

    @Test
    void redisDownMeansNotTakenWithinTheDeadlineAndOneWarningThenItWorksAgain() {
        String name = freshName();
        ClusterLock a = new Replica().lock(name, Duration.ofMinutes(1));
        warmUp(a);
        try (Captured log = new Captured()) {
            server.stop();
            long worst = 0;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                assertTrue(a.tryLock().isEmpty(), "fail closed");
                worst = Math.max(worst, System.nanoTime() - start);
            }
            System.out.printf(
                    "[measured] redis stopped (connection refused): tryLock empty in at most %d ms%n",
                    worst / 1_000_000);
            assertEquals(1, log.warnings().size(), "one warning per outage: " + log.all());

            long restarted = System.nanoTime();
            server.start();
            Optional<ClusterLock.Held>[] taken = new Optional[1];
            int[] attempts = {0};
            Poll.until(
                    Duration.ofSeconds(10),
                    "the same client to work again",
                    () -> (taken[0] = a.tryLock()).isPresent() | ++attempts[0] < 0);
            System.out.printf(
                    "[measured] redis restarted: the same client took the lock %d ms after the restart began, attempt %d%n",
                    (System.nanoTime() - restarted) / 1_000_000, attempts[0]);
            taken[0].get().close();
            assertEquals(1, log.warnings().size(), "still one warning: " + log.all());
            assertTrue(
                    log.all().stream().anyMatch(m -> m.contains("answers again")),
                    log.all().toString());
            log.all().forEach(m -> assertFalse(m.contains(PASSWORD), "no password in the log: " + m));
        }
    }

    @Test
    void redisNotAnsweringMeansNotTakenWithinTheDeadline() {
        String name = freshName();
        ClusterLock a = new Replica().lock(name, Duration.ofSeconds(2));
        warmUp(a);
        server.pause();
        try {
            long start = System.nanoTime();
            assertTrue(a.tryLock().isEmpty(), "fail closed");
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "[measured] redis frozen (SIGSTOP): tryLock empty after %d ms (deadline %d ms)%n",
                    millis, TIMEOUT.toMillis());
        } finally {
            server.resume();
        }
        // the abandoned SET reaches Redis once it runs again; it is given back, or expires with its ttl
        long resumed = System.nanoTime();
        Optional<ClusterLock.Held>[] taken = new Optional[1];
        Poll.until(Duration.ofSeconds(5), "the lock to be free again", () -> (taken[0] = a.tryLock()).isPresent());
        System.out.printf(
                "[measured] after the freeze the lock was free again %d ms after resuming%n",
                (System.nanoTime() - resumed) / 1_000_000);
        taken[0].get().close();
    }

    @Test
    void describeMasksUrlCredentials() {
        String text = RedisCalls.describe(
                new IllegalStateException("cannot reach rediss://user:" + PASSWORD + "@host:6380/0"));
        assertFalse(text.contains(PASSWORD), text);
        assertTrue(text.contains("rediss://***@host:6380/0"), text);
        assertNotEquals("", text);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Records what io.reelvault.redis logs. */
    static final class Captured extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("io.reelvault.redis");
        private final List<LogRecord> records = new CopyOnWriteArrayList<>();

        Captured() {
            logger.addHandler(this);
        }

        List<String> warnings() {
            return records.stream()
                    .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                    .map(Captured::text)
                    .toList();
        }

        List<String> all() {
            return records.stream().map(Captured::text).toList();
        }

        static String text(LogRecord record) {
            return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
