package io.reelvault.api;

import static io.reelvault.support.Compositions.clip;
import static io.reelvault.support.Compositions.timeline;
import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The compositions API on the local backend; {@code CompositionsApiS3Test} runs it again on S3. */
@QuarkusTest
@OpenApiContract.Checked
class CompositionsApiTest {

    @Inject
    ObjectStore store;

    static String createComposition(String generation) {
        return given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("generation_id", generation, "timeline", timeline(clip(1, 0), clip(2, 2.5))))
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .extract()
                .path("composition_id");
    }

    boolean anyObjectUnder(String prefix) {
        return !store.list(new KeyPrefix(prefix), Optional.empty())
                .select()
                .first()
                .collect()
                .asList()
                .await()
                .atMost(Duration.ofSeconds(10))
                .isEmpty();
    }

    @Test
    void createValidatesTheTimelineAndWritesItWithMetadata() {
        String gen = create("for a composition");
        var created = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("generation_id", gen, "timeline", timeline(clip(1, 0), clip(2, 2.5))))
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .header("Location", containsString("/api/v1/compositions/comp_"))
                .body("composition_id", matchesPattern("comp_\\d{8}_[a-z0-9]{16}"))
                .body("generation_id", equalTo(gen))
                .body("status", equalTo("pending"))
                .extract();
        String id = created.path("composition_id");
        assertEquals(
                Area.COMPOSITIONS
                        .expiresAt(Instant.parse(created.path("created_at")))
                        .orElseThrow(),
                Instant.parse(created.path("expires_at")));
        assertTrue(anyObjectUnder("compositions/" + id + "/timeline.json"));
        assertTrue(anyObjectUnder("compositions/" + id + "/metadata.json"));
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id)
                .then()
                .statusCode(200)
                .body("composition_id", equalTo(id))
                .body("status", equalTo("pending"));
    }

    @Test
    void badTimelinesAndMissingGenerationsAreRefused() {
        String gen = create("referenced");
        Object[][] bad = {
            {Map.of("generation_id", gen)},
            {Map.of("generation_id", gen, "timeline", Map.of("clips", List.of()))},
            {Map.of("generation_id", gen, "timeline", Map.of("clips", List.of(Map.of("clip", 0, "start_seconds", 0))))},
            {Map.of("generation_id", gen, "timeline", Map.of("clips", List.of(Map.of("clip", 1, "start_seconds", -1))))
            },
            {Map.of("generation_id", gen, "timeline", Map.of("clips", List.of(Map.of("clip", 1))))},
            {
                Map.of(
                        "generation_id",
                        gen,
                        "timeline",
                        Map.of("clips", List.of(Map.of("clip", 1, "start_seconds", 0, "duration_seconds", 0))))
            },
            {
                Map.of(
                        "generation_id",
                        gen,
                        "timeline",
                        Map.of("clips", List.of(Map.of("clip", 1, "start_seconds", 0, "generation_id", "../x"))))
            },
            {Map.of("timeline", timeline(clip(1, 0)))},
            {Map.of("generation_id", gen, "timeline", Map.of("clips", List.of(clip(1, 0)), "audio", "loud"))},
        };
        for (Object[] body : bad) {
            problem(
                    given().auth()
                            .oauth2(PIPELINE)
                            .contentType("application/json")
                            .body(body[0])
                            .post("/api/v1/compositions")
                            .then(),
                    400,
                    "invalid_request");
        }
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType("application/json")
                        .body(Map.of(
                                "generation_id", "gen_20261129_aaaaaaaaaaaaaaaa", "timeline", timeline(clip(1, 0))))
                        .post("/api/v1/compositions")
                        .then(),
                404,
                "not_found");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType("application/json")
                        .body(Map.of(
                                "generation_id", "comp_20261129_aaaaaaaaaaaaaaaa", "timeline", timeline(clip(1, 0))))
                        .post("/api/v1/compositions")
                        .then(),
                400,
                "invalid_id");
        problem(
                given().auth()
                        .oauth2(TestTokens.user("mallory"))
                        .contentType("application/json")
                        .body(Map.of("generation_id", gen, "timeline", timeline(clip(1, 0))))
                        .post("/api/v1/compositions")
                        .then(),
                403,
                "forbidden");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/compositions/comp_20261129_aaaaaaaaaaaaaaaa")
                        .then(),
                404,
                "not_found");
    }

    @Test
    void finalAndThumbnailStreamInAndTheDownloadIsAnAttachment() throws Exception {
        String id = createComposition(create("final render"));
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/compositions/" + id + "/download")
                        .then(),
                404,
                "not_found");
        problem(
                put("/api/v1/compositions/" + id + "/final", "video/mp4", Samples.png(1000)),
                415,
                "unsupported_media_type");
        problem(
                put("/api/v1/compositions/" + id + "/final?compress=maybe", "video/mp4", Samples.mp4(1000)),
                400,
                "invalid_request");
        byte[] thumb = Samples.jpeg(4_000);
        put("/api/v1/compositions/" + id + "/thumbnail", "image/jpeg", thumb)
                .statusCode(200)
                .body("key", equalTo("compositions/" + id + "/thumbnail.jpg"))
                .body("sha256", equalTo(Samples.sha256(thumb)));
        byte[] video = Samples.mp4(400_000);
        put("/api/v1/compositions/" + id + "/final?compress=false", "video/mp4", video)
                .statusCode(200)
                .body("status", equalTo("rendered"))
                .body("rendered_at", not(nullValue()))
                .body("final_video.key", equalTo("compositions/" + id + "/final.mp4"))
                .body("final_video.size_bytes", equalTo(video.length))
                .body("final_video.sha256", equalTo(Samples.sha256(video)))
                .body("thumbnail", equalTo("uploaded"))
                .body("compression", nullValue());

        var download = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id + "/download")
                .then()
                .statusCode(200)
                .body("expires_in", equalTo(21600))
                .body("filename", equalTo("video_" + id + ".mp4"))
                .extract();
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(download.path("url"))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(video, r.body());
        String disposition = r.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(disposition.startsWith("attachment") && disposition.contains("video_" + id + ".mp4"), disposition);
    }

    @Test
    void deleteRemovesEverything() {
        String id = createComposition(create("short-lived"));
        put("/api/v1/compositions/" + id + "/thumbnail", "image/jpeg", Samples.jpeg(1_000))
                .statusCode(200);
        put("/api/v1/compositions/" + id + "/final", "video/mp4", Samples.mp4(10_000))
                .statusCode(200);
        given().auth()
                .oauth2(PIPELINE)
                .delete("/api/v1/compositions/" + id)
                .then()
                .statusCode(204);
        assertFalse(anyObjectUnder("compositions/" + id + "/"));
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/compositions/" + id)
                        .then(),
                404,
                "not_found");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .delete("/api/v1/compositions/" + id)
                        .then(),
                404,
                "not_found");
    }
}
