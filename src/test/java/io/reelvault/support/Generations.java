package io.reelvault.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.util.Map;

/** The generation pipeline's calls ({@code /api/v1/generations}), made with its token. */
public final class Generations {
    /** The pipeline worker's token. */
    public static final String PIPELINE = TestTokens.pipeline("pipeline-worker");

    private Generations() {}

    /** A new pending generation ({@code reuse=false}: earlier tests' generations of the same prompt are not reused). */
    public static String create(String prompt) {
        return given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("prompt", prompt, "parameters", Map.of("seed", 42, "style", "noir")))
                .post("/api/v1/generations?reuse=false")
                .then()
                .statusCode(201)
                .extract()
                .path("generation_id");
    }

    /** A new pending generation owned by {@code user}, never a reused one. */
    public static String createFor(String user, String prompt) {
        return given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("prompt", prompt, "user_id", user))
                .post("/api/v1/generations?reuse=false")
                .then()
                .statusCode(201)
                .extract()
                .path("generation_id");
    }

    /** A PUT as the pipeline (a clip, a thumbnail, a temp file). */
    public static ValidatableResponse put(String path, String contentType, byte[] body) {
        return given().auth()
                .oauth2(PIPELINE)
                .contentType(contentType)
                .body(body)
                .put(path)
                .then();
    }

    /** Stores clip 1 of generation {@code id} and completes it. */
    public static void complete(String id) {
        put("/api/v1/generations/" + id + "/clips/1", "video/mp4", Samples.mp4(2_000))
                .statusCode(200);
        given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + id + "/complete")
                .then()
                .statusCode(200);
    }

    /** Generation parameters of their own: a fresh {@code seed} keeps other tests' generations from matching. */
    public static Map<String, Object> params(String seed) {
        return Map.of("seed", seed, "style", "cinematic", "fps", 24);
    }

    /** The pipeline's request on behalf of {@code userId} (the generation's owner); reuse as the service decides. */
    public static ExtractableResponse<Response> requestFor(String userId, String prompt, Map<String, Object> params) {
        return given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("prompt", prompt, "parameters", params, "user_id", userId))
                .post("/api/v1/generations")
                .then()
                .extract();
    }

    /** A new generation on behalf of {@code userId}, completed; answers its id. */
    public static String completedFor(String userId, String prompt, Map<String, Object> params) {
        var created = requestFor(userId, prompt, params);
        assertEquals(201, created.statusCode(), created.asString());
        String id = created.path("generation_id");
        complete(id);
        return id;
    }
}
