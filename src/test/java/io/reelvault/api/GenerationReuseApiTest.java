package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.complete;
import static io.reelvault.support.Generations.completedFor;
import static io.reelvault.support.Generations.params;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Generations.requestFor;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.Management;
import io.reelvault.support.MetricsText;
import io.reelvault.support.Samples;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The similar-generation cache through {@code POST /api/v1/generations}, on the in-process cache (no Redis
 * configured); {@code GenerationReuseRedisApiTest} runs it again on a real redis-server. Every test uses
 * its own parameters (a fresh seed), so that entries of other tests never match.
 */
@QuarkusTest
class GenerationReuseApiTest {
    @Inject
    AdjustableClock clock;

    static ExtractableResponse<Response> request(String prompt, Map<String, Object> params, String query) {
        return given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("prompt", prompt, "parameters", params))
                .post("/api/v1/generations" + query)
                .then()
                .extract();
    }

    static String completed(String prompt, Map<String, Object> params) {
        var created = request(prompt, params, "");
        assertEquals(201, created.statusCode(), created.asString());
        String id = created.path("generation_id");
        complete(id);
        return id;
    }

    static double lookups(String result) {
        String metrics = Management.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = Pattern.compile(
                        "^reelvault_similar_cache_lookups_total\\{result=\"" + result + "\"[^}]*} (\\S+)$",
                        Pattern.MULTILINE)
                .matcher(metrics);
        assertTrue(m.find(), "lookups{result=" + result + "} exported");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theCacheShowsInReadinessDetails() {
        Management.given()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'cache' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'cache' }.data.backend", equalTo(expectedBackend()));
    }

    String expectedBackend() {
        return "in-process";
    }

    @Test
    void theSameRequestReusesAFinishedGeneration() {
        var p = params(freshUser("s"));
        String id = completed("A red fox running through a snowy forest at dawn, 4k", p);
        double exact = lookups("exact");
        MetricsText before = MetricsText.scrape();
        // case, whitespace and punctuation do not matter; the parameters' key order does not either
        var again = request(
                "a RED fox   running through a snowy forest at dawn 4K!",
                Map.of("fps", 24, "style", "cinematic", "seed", p.get("seed")),
                "");
        assertEquals(200, again.statusCode());
        assertEquals(id, again.path("generation_id"));
        assertEquals("completed", again.path("status"));
        assertEquals(true, again.path("reused"));
        assertEquals(1.0f, (Float) again.path("similarity"), 1e-6);
        assertEquals(exact + 1, lookups("exact"));
        assertEquals(
                1.0,
                MetricsText.scrape().delta(before, "reelvault_generations_avoided_total", "reason", "reused"),
                "one generation avoided by reuse");
    }

    @Test
    void aNearlyIdenticalPromptIsReusedWithItsSimilarity() {
        var p = params(freshUser("s"));
        String id = completed("snowy forest at dawn, a red fox running", p);
        double similar = lookups("similar");
        var again = request("A red fox running, snowy forest at dawn", p, "");
        assertEquals(200, again.statusCode(), again.asString());
        assertEquals(id, again.path("generation_id"));
        float similarity = again.path("similarity");
        assertTrue(similarity >= 0.95f, "similarity " + similarity);
        assertEquals(similar + 1, lookups("similar"));
    }

    @Test
    void otherParametersNearMissesAndReuseFalseStartNewGenerations() {
        var p = params(freshUser("s"));
        String id = completed("a red fox running through a snowy forest", p);
        assertEquals(
                201,
                request("a red fox running through a snowy forest", params(freshUser("other")), "")
                        .statusCode());
        assertEquals(
                201,
                request("a grey wolf running through a snowy forest", p, "").statusCode());
        assertEquals(
                201,
                request("two red foxes running through a snowy forest", p, "").statusCode());
        var forced = request("a red fox running through a snowy forest", p, "?reuse=false");
        assertEquals(201, forced.statusCode());
        assertNotEquals(id, forced.path("generation_id"));
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType("application/json")
                        .body(Map.of("prompt", "x"))
                        .post("/api/v1/generations?reuse=maybe")
                        .then(),
                400,
                "invalid_request");
    }

    @Test
    void identicalRequestsWhilePendingJoinTheOneGeneration() throws Exception {
        var p = params(freshUser("sf"));
        String prompt = "a lighthouse in a storm, waves crashing";
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<ExtractableResponse<Response>>> answers = new ArrayList<>();
        MetricsText before = MetricsText.scrape();
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit((Callable<ExtractableResponse<Response>>) () -> request(prompt, p, "")));
            }
            Set<String> ids = new HashSet<>();
            int created = 0;
            for (var f : answers) {
                var r = f.get();
                ids.add(r.path("generation_id"));
                if (r.statusCode() == 201) {
                    created++;
                } else {
                    assertEquals(200, r.statusCode(), r.asString());
                    assertEquals(true, r.path("reused"));
                    assertEquals("pending", r.path("status"));
                }
            }
            assertEquals(1, created, "exactly one generation started");
            assertEquals(1, ids.size(), "all 20 answers name it");
            assertEquals(
                    19.0,
                    MetricsText.scrape().delta(before, "reelvault_generations_avoided_total", "reason", "in_flight"),
                    "the 19 joiners counted as avoided while in flight");
        } finally {
            pool.shutdownNow();
        }
    }

    /** The default scope, {@code REELVAULT_CACHE_SCOPE=user}: a user's generations answer that user's requests only. */
    @Test
    void anotherUsersGenerationIsNeitherReusedNorJoined() {
        var p = params(freshUser("scope"));
        String alice = freshUser("alice");
        String bob = freshUser("bob");
        String alices = completedFor(alice, "a red fox asleep in the snow", p);
        var hers = requestFor(alice, "a red fox asleep in the snow", p);
        assertEquals(200, hers.statusCode(), "the owner's own request reuses it: " + hers.asString());
        assertEquals(alices, hers.path("generation_id"));

        for (String prompt : new String[] {"a red fox asleep in the snow", "A red fox, asleep in the snow."}) {
            var his = requestFor(bob, prompt, p);
            assertTrue(
                    his.statusCode() == 201 || "pending".equals(his.path("status")),
                    "a generation of his own: " + his.asString());
            assertNotEquals(alices, his.path("generation_id"));
            assertFalse(his.asString().contains(alices), "nothing of hers in the answer: " + his.asString());
            assertEquals(
                    bob,
                    given().auth()
                            .oauth2(PIPELINE)
                            .get("/api/v1/generations/" + his.path("generation_id"))
                            .then()
                            .statusCode(200)
                            .extract()
                            .path("user_id"));
        }

        // single flight too: an identical request of another user while one is pending starts its own
        String carol = freshUser("carol");
        String dave = freshUser("dave");
        var carols = requestFor(carol, "a blue whale under the ice", p);
        assertEquals(201, carols.statusCode());
        var daves = requestFor(dave, "a blue whale under the ice", p);
        assertEquals(201, daves.statusCode(), "not carol's pending one: " + daves.asString());
        assertNotEquals((String) carols.path("generation_id"), daves.path("generation_id"));
        var carolAgain = requestFor(carol, "a blue whale under the ice", p);
        assertEquals(200, carolAgain.statusCode());
        assertEquals(
                (String) carols.path("generation_id"),
                carolAgain.path("generation_id"),
                "her own pending one is joined");
    }

    @Test
    void aFailedGenerationReleasesItsRequest() {
        var p = params(freshUser("f"));
        String first = request("a castle made of ice", p, "").path("generation_id");
        assertEquals(first, request("a castle made of ice", p, "").path("generation_id"), "joins the pending one");
        given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("reason", "GPU out of memory"))
                .post("/api/v1/generations/" + first + "/fail")
                .then()
                .statusCode(200)
                .body("status", equalTo("failed"))
                .body("failure", equalTo("GPU out of memory"));
        var again = request("a castle made of ice", p, "");
        assertEquals(201, again.statusCode());
        assertNotEquals(first, again.path("generation_id"));
        problem(put("/api/v1/generations/" + first + "/clips/1", "video/mp4", Samples.mp4(100)), 409, "conflict");
    }

    @Test
    void deletedOrExpiredGenerationsAreNeverReused() {
        var p = params(freshUser("d"));
        String deleted = completed("a paper boat on a river", p);
        given().auth()
                .oauth2(PIPELINE)
                .delete("/api/v1/generations/" + deleted)
                .then()
                .statusCode(204);
        var afterDelete = request("a paper boat on a river", p, "");
        assertEquals(201, afterDelete.statusCode());

        var q = params(freshUser("e"));
        String old = completed("a paper plane over a city", q);
        Instant expiry = Instant.parse(given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + old)
                .then()
                .extract()
                .path("expires_at"));
        double misses = lookups("miss");
        try {
            clock.setTo(expiry);
            var afterExpiry = request("a paper plane over a city", q, "");
            assertEquals(201, afterExpiry.statusCode(), afterExpiry.asString());
            assertNotEquals(old, afterExpiry.path("generation_id"));
        } finally {
            clock.reset();
        }
        assertTrue(lookups("miss") >= misses + 1, "an entry whose generation expired counts as a miss");
    }
}
