package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
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
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Poll;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The generations API on the local backend; {@code GenerationsApiS3Test} runs it again on S3. */
@QuarkusTest
@OpenApiContract.Checked
class GenerationsApiTest {
    @Inject
    ObjectStore store;

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

    String storedText(String key) {
        var c = store.get(ObjectKey.parse(key), Optional.empty()).await().atMost(Duration.ofSeconds(10));
        StringBuilder sb = new StringBuilder();
        c.body().subscribe().asIterable().forEach(b -> sb.append(StandardCharsets.UTF_8.decode(b)));
        return sb.toString();
    }

    @Test
    void createWritesPendingMetadataWithItsRetention() {
        var created = given().auth()
                .oauth2(PIPELINE)
                .contentType("application/json")
                .body(Map.of("prompt", "a cat surfing at sunset", "parameters", Map.of("seed", 7), "user_id", "alice"))
                .post("/api/v1/generations?reuse=false")
                .then()
                .statusCode(201)
                .header("Location", containsString("/api/v1/generations/gen_"))
                .body("generation_id", matchesPattern("gen_\\d{8}_[a-z0-9]{16}"))
                .body("status", equalTo("pending"))
                .body("reused", equalTo(false))
                .extract();
        String id = created.path("generation_id");
        assertEquals(
                RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/generations/" + id, created.header("Location"));
        Instant createdAt = Instant.parse(created.path("created_at"));
        Instant expiresAt = Instant.parse(created.path("expires_at"));
        assertEquals(Area.GENERATIONS.expiresAt(createdAt).orElseThrow(), expiresAt);
        String meta = storedText("generations/" + id + "/metadata.json");
        for (String field :
                new String[] {"generation_id", "user_id", "prompt", "parameters", "status", "created_at", "expires_at"
                }) {
            assertTrue(meta.contains("\"" + field + "\""), field + " in metadata.json: " + meta);
        }
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .statusCode(200)
                .body("user_id", equalTo("alice"))
                .body("prompt", equalTo("a cat surfing at sunset"))
                .body("parameters.seed", equalTo(7))
                .body("status", equalTo("pending"))
                .body("clips", hasSize(0));
    }

    @Test
    void onlyPipelineCallersMayUseGenerations() {
        problem(
                given().auth()
                        .oauth2(TestTokens.user("mallory"))
                        .contentType("application/json")
                        .body(Map.of("prompt", "x"))
                        .post("/api/v1/generations")
                        .then(),
                403,
                "forbidden");
        problem(
                given().contentType("application/json")
                        .body(Map.of("prompt", "x"))
                        .post("/api/v1/generations")
                        .then(),
                401,
                "unauthenticated");
        String id = create("private");
        problem(
                given().auth()
                        .oauth2(TestTokens.user("mallory"))
                        .get("/api/v1/generations/" + id)
                        .then(),
                403,
                "forbidden");
    }

    @Test
    void badRequestsGetCodedProblems() {
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType("application/json")
                        .body(Map.of("parameters", Map.of()))
                        .post("/api/v1/generations")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType("application/json")
                        .body("{\"prompt\":\"x\",\"parameters\":[1,2]}")
                        .post("/api/v1/generations")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType("application/json")
                        .body("{\"prompt\":\"x\",\"user_id\":\"../etc\"}")
                        .post("/api/v1/generations")
                        .then(),
                400,
                "invalid_id");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/generations/gen_bad")
                        .then(),
                400,
                "invalid_id");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/generations/gen_20261129_aaaaaaaaaaaaaaaa")
                        .then(),
                404,
                "not_found");
        String id = create("clip numbers");
        for (String n : new String[] {"0", "1000", "abc", "-1", "01a"}) {
            problem(put("/api/v1/generations/" + id + "/clips/" + n, "video/mp4", Samples.mp4(100)), 400, "invalid_id");
        }
        problem(
                put("/api/v1/generations/gen_20261129_aaaaaaaaaaaaaaaa/clips/1", "video/mp4", Samples.mp4(100)),
                404,
                "not_found");
    }

    @Test
    void artifactsAreCheckedByDeclaredTypeAndContent() {
        String id = create("checks");
        problem(
                put("/api/v1/generations/" + id + "/clips/1", "image/png", Samples.mp4(1000)),
                415,
                "unsupported_media_type");
        problem(
                put("/api/v1/generations/" + id + "/clips/1", "video/mp4", Samples.png(1000)),
                415,
                "unsupported_media_type");
        problem(
                put("/api/v1/generations/" + id + "/thumbnails/1", "image/jpeg", Samples.png(1000)),
                415,
                "unsupported_media_type");
        problem(
                put("/api/v1/generations/" + id + "/audio", "audio/mpeg", Samples.wav(1000)),
                415,
                "unsupported_media_type");
        assertFalse(anyObjectUnder("generations/" + id + "/clips/"), "a rejected clip leaves nothing");
        assertFalse(anyObjectUnder("generations/" + id + "/thumbnails/"));
        assertFalse(anyObjectUnder("generations/" + id + "/audio/"));
    }

    @Test
    void clipsThumbnailsAndAudioStreamInAndCompleteRecordsThem() throws Exception {
        String id = create("three clips of a lighthouse");
        byte[] clip1 = Samples.mp4(300_000);
        byte[] clip2 = Samples.mp4(200_000);
        byte[] thumb2 = Samples.jpeg(5_000);
        byte[] audio = Samples.mp3(50_000);
        put("/api/v1/generations/" + id + "/thumbnails/2", "image/jpeg", thumb2)
                .statusCode(200)
                .body("key", equalTo("generations/" + id + "/thumbnails/clip_002.jpg"))
                .body("sha256", equalTo(Samples.sha256(thumb2)));
        put("/api/v1/generations/" + id + "/clips/1", "video/mp4", clip1)
                .statusCode(200)
                .body("clip", equalTo(1))
                .body("key", equalTo("generations/" + id + "/clips/clip_001.mp4"))
                .body("size_bytes", equalTo(clip1.length))
                .body("sha256", equalTo(Samples.sha256(clip1)));
        put("/api/v1/generations/" + id + "/clips/2", "video/mp4", clip2)
                .statusCode(200)
                .body("thumbnail", equalTo("uploaded"));
        put("/api/v1/generations/" + id + "/audio", "audio/mpeg", audio)
                .statusCode(200)
                .body("key", equalTo("generations/" + id + "/audio/background.mp3"));

        var done = given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("status", equalTo("completed"))
                .body("completed_at", not(nullValue()))
                .body("clips", hasSize(2))
                .body("clips[0].size_bytes", equalTo(clip1.length))
                .body("clips[0].sha256", equalTo(Samples.sha256(clip1)))
                .body("clips[1].sha256", equalTo(Samples.sha256(clip2)))
                .body("clips[1].thumbnail_url", not(nullValue()))
                .body("audio.sha256", equalTo(Samples.sha256(audio)))
                .body("urls_expire_in", lessThanOrEqualTo(3600))
                .extract();
        String meta = storedText("generations/" + id + "/metadata.json");
        assertTrue(meta.contains(Samples.sha256(clip2)) && meta.contains("\"completed\""), meta);

        // the preview URL serves the clip, with Range
        String url = done.path("clips[0].preview_url");
        HttpResponse<byte[]> whole = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertArrayEquals(clip1, whole.body());
        HttpResponse<byte[]> part = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Range", "bytes=100-199")
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(clip1, 100, 200), part.body());

        // completing again answers the same; a completed generation's artifacts no longer change
        given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("completed_at", equalTo(done.path("completed_at")));
        problem(put("/api/v1/generations/" + id + "/clips/3", "video/mp4", Samples.mp4(1000)), 409, "conflict");
        assertFalse(anyObjectUnder("generations/" + id + "/clips/clip_003"));
    }

    @Test
    void completingWithoutClipsIsAConflict() {
        String id = create("nothing yet");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .post("/api/v1/generations/" + id + "/complete")
                        .then(),
                409,
                "conflict");
    }

    @Test
    void anUnplayableClipIsStoredAndItsThumbnailFailureRecorded() {
        String id = create("noise");
        put("/api/v1/generations/" + id + "/clips/1", "video/mp4", Samples.mp4(20_000))
                .statusCode(200);
        // ffmpeg cannot decode noise: the clip stays, the failure is recorded (or thumbnails are off without ffmpeg)
        Poll.until(Duration.ofSeconds(30), "the thumbnail outcome", () -> {
            String state = given().auth()
                    .oauth2(PIPELINE)
                    .get("/api/v1/generations/" + id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("clips[0].thumbnail");
            return !"extracting".equals(state);
        });
        var clip = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .statusCode(200)
                .extract();
        String state = clip.path("clips[0].thumbnail");
        assertTrue(state.equals("failed") || state.equals("unavailable"), state);
        if (state.equals("failed")) {
            assertFalse(
                    ((String) clip.path("clips[0].thumbnail_error")).contains("X-Signature"), "no secret in metadata");
        }
        assertTrue(anyObjectUnder("generations/" + id + "/clips/clip_001.mp4"));
        assertFalse(anyObjectUnder("generations/" + id + "/thumbnails/"));
    }

    @Test
    void deleteRemovesEveryObjectOfTheGeneration() {
        String id = create("to be deleted");
        for (int n = 1; n <= 3; n++) {
            put("/api/v1/generations/" + id + "/clips/" + n, "video/mp4", Samples.mp4(10_000))
                    .statusCode(200);
            put("/api/v1/generations/" + id + "/thumbnails/" + n, "image/jpeg", Samples.jpeg(1_000))
                    .statusCode(200);
        }
        put("/api/v1/generations/" + id + "/audio", "audio/mpeg", Samples.mp3(1_000))
                .statusCode(200);
        assertTrue(anyObjectUnder("generations/" + id + "/"));
        given().auth()
                .oauth2(PIPELINE)
                .delete("/api/v1/generations/" + id)
                .then()
                .statusCode(204);
        assertFalse(anyObjectUnder("generations/" + id + "/"), "nothing is left under the generation");
        problem(given().auth().oauth2(PIPELINE).get("/api/v1/generations/" + id).then(), 404, "not_found");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .delete("/api/v1/generations/" + id)
                        .then(),
                404,
                "not_found");
    }
}
