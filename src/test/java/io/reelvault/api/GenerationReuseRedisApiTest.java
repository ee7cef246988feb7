package io.reelvault.api;

import static io.reelvault.support.Generations.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.Management;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisProfile;
import io.reelvault.support.RedisResource;
import io.reelvault.support.RedisServer;
import io.reelvault.support.Users;
import java.time.Duration;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every reuse test again with Redis as the shared cache, and what happens when Redis stops answering. */
@QuarkusTest
@TestProfile(RedisProfile.class)
class GenerationReuseRedisApiTest extends GenerationReuseApiTest {
    @Override
    String expectedBackend() {
        return "redis";
    }

    /** A call to Redis without a deadline would hang for good: the @Timeout turns that into a failure. */
    @Test
    @Timeout(120)
    void withRedisHungOrDownRequestsStillSucceedAndHitsReturnWhenItIsBack() {
        RedisServer redis = RedisResource.server();
        var p = params(freshUserId());
        String id = completed("a hot air balloon over the desert", p);
        double errors = lookups("error");
        redis.pause(); // accepts connections, never answers: only a deadline gets a request through
        try {
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                var r = request("a hot air balloon over the desert", p, "");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(201, r.statusCode(), "the service keeps serving: a new generation");
                System.out.printf("[measured] generation request with Redis frozen (SIGSTOP): answered in %d ms%n", ms);
            }
            // readiness stays UP: Redis shows in the details only (answers are reused for a second: poll)
            Poll.until(
                    Duration.ofSeconds(10),
                    "readiness details show Redis down",
                    () -> cacheDetail().startsWith("down"));
            Management.given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", Matchers.equalTo("UP"))
                    .body("checks.find { it.name == 'cache' }.data.backend", Matchers.equalTo("redis"));
        } finally {
            redis.resume();
        }
        assertTrue(lookups("error") >= errors + 1, "lookups during the outage count as error");
        // answering again: the entry written before the outage is found, without restarting the service
        Poll.until(
                Duration.ofSeconds(10),
                "readiness details show Redis up",
                () -> cacheDetail().equals("up"));
        Poll.until(
                Duration.ofSeconds(30),
                "a hit after Redis answered again",
                () -> id.equals(
                        request("a hot air balloon over the desert", p, "").path("generation_id")));

        redis.stop(); // down (connection refused), then restarted empty (the test server keeps no data)
        try {
            assertEquals(
                    201, request("a hot air balloon over the desert", p, "").statusCode());
        } finally {
            redis.start();
        }
        var q = params(freshUserId());
        Poll.until(Duration.ofSeconds(30), "the cache written and read again after the restart", () -> {
            String fresh = completed("a kite over a beach", q);
            return fresh.equals(request("a kite over a beach", q, "").path("generation_id"));
        });
    }

    private static String freshUserId() {
        return Users.freshUser("r");
    }

    /** The readiness check's {@code redis} detail of the cache check (readiness stays UP either way). */
    static String cacheDetail() {
        return Management.given()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .extract()
                .path("checks.find { it.name == 'cache' }.data.redis");
    }
}
