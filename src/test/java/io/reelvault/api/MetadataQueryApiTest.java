package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.complete;
import static io.reelvault.support.Generations.createFor;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Metadata queries without S3 Select: generations and compositions filtered from their stored
 * metadata, paged. Each test uses its own user so that other tests' data does not matter.
 */
@QuarkusTest
@OpenApiContract.Checked
class MetadataQueryApiTest {

    @Test
    void generationsByStatusUserAndDateInPages() {
        String user = freshUser("q");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(createFor(user, "prompt " + i));
        }
        complete(ids.get(1));
        complete(ids.get(3));
        List<String> completed = given().auth()
                .oauth2(PIPELINE)
                .queryParam("status", "completed")
                .queryParam("user_id", user)
                .get("/api/v1/generations")
                .then()
                .statusCode(200)
                .body("items.status", everyItem(equalTo("completed")))
                .body("next_after", nullValue())
                .extract()
                .path("items.generation_id");
        assertEquals(List.of(ids.get(1), ids.get(3)).stream().sorted().toList(), completed);

        // pending ones, two at a time, in id order
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            var page = given().auth()
                    .oauth2(PIPELINE)
                    .queryParam("status", "pending")
                    .queryParam("user_id", user)
                    .queryParam("since", LocalDate.now(ZoneOffset.UTC).toString())
                    .queryParam("limit", 2)
                    .queryParams(after == null ? Map.of() : Map.of("after", after))
                    .get("/api/v1/generations")
                    .then()
                    .statusCode(200)
                    .extract();
            seen.addAll(page.path("items.generation_id"));
            after = page.path("next_after");
        } while (after != null);
        assertEquals(
                List.of(ids.get(0), ids.get(2), ids.get(4)).stream().sorted().toList(), seen);

        given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("reason", "out of credits"))
                .post("/api/v1/generations/" + ids.get(4) + "/fail")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(PIPELINE)
                .queryParam("status", "failed")
                .queryParam("user_id", user)
                .get("/api/v1/generations")
                .then()
                .statusCode(200)
                .body("items.generation_id", equalTo(List.of(ids.get(4))));

        given().auth()
                .oauth2(PIPELINE)
                .queryParam("user_id", user)
                .queryParam("since", LocalDate.now(ZoneOffset.UTC).plusDays(1).toString())
                .get("/api/v1/generations")
                .then()
                .statusCode(200)
                .body("items", hasSize(0))
                .body("next_after", nullValue());
    }

    @Test
    void compositionsByGenerationAndStatus() {
        String user = freshUser("qc");
        String gen = createFor(user, "source");
        Map<String, Object> body = Map.of(
                "generation_id",
                gen,
                "user_id",
                user,
                "timeline",
                Map.of("clips", List.of(Map.of("clip", 1, "start_seconds", 0))));
        String a = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(body)
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .extract()
                .path("composition_id");
        String b = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(body)
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .extract()
                .path("composition_id");
        put("/api/v1/compositions/" + b + "/final?compress=false", "video/mp4", Samples.mp4(2_000))
                .statusCode(200);
        given().auth()
                .oauth2(PIPELINE)
                .queryParam("generation_id", gen)
                .get("/api/v1/compositions")
                .then()
                .statusCode(200)
                .body(
                        "items.composition_id",
                        equalTo(List.of(a, b).stream().sorted().toList()));
        given().auth()
                .oauth2(PIPELINE)
                .queryParam("generation_id", gen)
                .queryParam("status", "rendered")
                .get("/api/v1/compositions")
                .then()
                .statusCode(200)
                .body("items.composition_id", equalTo(List.of(b)));
    }

    @Test
    void badQueriesAreCoded() {
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .queryParam("status", "done")
                        .get("/api/v1/generations")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .queryParam("since", "yesterday")
                        .get("/api/v1/generations")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .queryParam("limit", 0)
                        .get("/api/v1/compositions")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .queryParam("after", "../x")
                        .get("/api/v1/generations")
                        .then(),
                400,
                "invalid_id");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .queryParam("status", "completed")
                        .get("/api/v1/compositions")
                        .then(),
                400,
                "invalid_request");
    }
}
