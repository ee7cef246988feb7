package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.completedFor;
import static io.reelvault.support.Generations.params;
import static io.reelvault.support.Generations.requestFor;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.SettingsVariantsProfile;
import io.reelvault.support.TestTokens;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code REELVAULT_CACHE_SCOPE=global}: every user's finished generations answer every user's requests. The answer
 * names the reused generation and nothing of its owner (no prompt, no user id); only pipeline callers may ask, and
 * they read every generation anyway.
 */
@QuarkusTest
@TestProfile(SettingsVariantsProfile.class)
class GenerationReuseGlobalScopeApiTest {

    @Test
    void anotherUsersFinishedGenerationAnswersTheSameRequest() {
        var p = params(freshUser("global"));
        String alice = freshUser("alice");
        String alices = completedFor(alice, "a red fox asleep in the snow", p);
        var bobs = requestFor(freshUser("bob"), "a red fox asleep in the snow", p);
        assertEquals(200, bobs.statusCode(), bobs.asString());
        assertEquals(alices, bobs.path("generation_id"));
        assertEquals(Boolean.TRUE, bobs.path("reused"));
        assertNull(bobs.path("prompt"), "the answer carries no prompt");
        assertNull(bobs.path("user_id"), "nor its owner");
        // the caller is a pipeline worker, which reads every generation
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + alices)
                .then()
                .statusCode(200)
                .body("user_id", equalTo(alice));
    }

    @Test
    void onlyPipelineCallersMayAsk() {
        problem(
                given().auth()
                        .oauth2(TestTokens.user(freshUser("eve")))
                        .contentType("application/json")
                        .body(Map.of("prompt", "a red fox asleep in the snow", "parameters", Map.of("seed", "x")))
                        .post("/api/v1/generations")
                        .then(),
                403,
                "forbidden");
    }
}
