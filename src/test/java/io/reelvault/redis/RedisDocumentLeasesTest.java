package io.reelvault.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.ObjectKey;
import io.reelvault.support.RedisServer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RedisDocumentLeases} against a real redis-server, as two replicas use it (each its own client): the second
 * update of a document waits for the first to give its lease back; another document is not held up; with Redis
 * unreachable an update runs without a lease instead of failing.
 */
class RedisDocumentLeasesTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static RedisServer server;
    static Vertx vertx;
    static final ObjectKey DOC = ObjectKey.parse("generations/gen_20261203_aaaaaaaaaaaaaaaa/metadata.json");

    @BeforeAll
    static void startRedis() {
        server = RedisServer.launch();
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
    void redisBack() {
        server.start();
    }

    RedisDocumentLeases replica() {
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
        return new RedisDocumentLeases(
                Optional.of(new RedisCalls(client, Duration.ofSeconds(5))), Duration.ofSeconds(30));
    }

    @Test
    void theSecondUpdateOfADocumentWaitsForTheFirstToEnd() throws Exception {
        RedisDocumentLeases one = replica();
        RedisDocumentLeases two = replica();
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> firstMayEnd = new CompletableFuture<>();
        CompletableFuture<Void> firstRunning = new CompletableFuture<>();
        CompletableFuture<String> first = one.around(DOC, () -> {
                    events.add("first starts");
                    firstRunning.complete(null);
                    return Uni.createFrom()
                            .completionStage(firstMayEnd)
                            .invoke(() -> events.add("first ends"))
                            .replaceWith("first");
                })
                .subscribeAsCompletionStage();
        firstRunning.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(
                ":1",
                server.command("EXISTS", RedisDocumentLeases.KEY_PREFIX + DOC.value()),
                "the first holds the lease");

        CompletableFuture<String> second = two.around(DOC, () -> {
                    events.add("second starts");
                    return Uni.createFrom().item("second");
                })
                .subscribeAsCompletionStage();
        String other = two.around(
                        ObjectKey.parse("compositions/comp_20261203_aaaaaaaaaaaaaaaa/metadata.json"),
                        () -> Uni.createFrom().item("other document"))
                .await()
                .atMost(WAIT);
        assertEquals("other document", other, "another document's lease is its own");
        assertFalse(second.isDone(), "the second waits while the first holds the lease");
        assertEquals(List.of("first starts"), events);

        firstMayEnd.complete(null);
        assertEquals("first", first.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("second", second.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(List.of("first starts", "first ends", "second starts"), events);
        assertEquals(
                ":0",
                server.command("EXISTS", RedisDocumentLeases.KEY_PREFIX + DOC.value()),
                "the lease was given back");
    }

    @Test
    void aFailedUpdateGivesItsLeaseBackToo() {
        RedisDocumentLeases one = replica();
        try {
            one.around(DOC, () -> Uni.createFrom().failure(new IllegalStateException("boom")))
                    .await()
                    .atMost(WAIT);
        } catch (IllegalStateException expected) {
            // the action's own failure
        }
        assertEquals(
                "second",
                replica()
                        .around(DOC, () -> Uni.createFrom().item("second"))
                        .await()
                        .atMost(Duration.ofSeconds(5)));
    }

    @Test
    void withRedisDownTheUpdateRunsWithoutALease() {
        RedisDocumentLeases one = replica();
        server.stop();
        assertTrue(one.around(DOC, () -> Uni.createFrom().item(true)).await().atMost(WAIT), "ran without a lease");
    }
}
