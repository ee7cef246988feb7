package io.reelvault.api;

import static io.reelvault.support.Problems.assertRateLimited;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Compositions;
import io.reelvault.support.Generations;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.RateLimitProfile;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Limits no other test reaches, with small values ({@link Profile}): the pipeline size limit on clip, final and temp
 * PUTs (413, from Content-Length and while a chunked body streams), {@code length_mismatch} over HTTP, the rate limits
 * on artifact PUTs and on generation views (429), and the query cap of a metadata listing (a short page with
 * {@code next_after}, followed to the end).
 */
@QuarkusTest
@OpenApiContract.Checked
@TestProfile(PipelineLimitsApiTest.Profile.class)
class PipelineLimitsApiTest {
    static final int PIPELINE_MAX = 100 * 1024;
    static final int PIPELINE_UPLOADS = 3;
    static final int MAX_READS = 3;

    /** {@link RateLimitProfile}'s limits, a pipeline caller's uploads limited too, a 100 KiB artifact, 3 reads a page. */
    public static class Profile extends RateLimitProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("reelvault.pipeline.max-size", Integer.toString(PIPELINE_MAX));
            config.put("reelvault.rate-limits.upload.pipeline-capacity", Integer.toString(PIPELINE_UPLOADS));
            config.put("reelvault.rate-limits.upload.pipeline-per-minute", "1");
            config.put("reelvault.rate-limits.list.pipeline-capacity", "100000");
            config.put("reelvault.query.max-reads", Integer.toString(MAX_READS));
            return config;
        }
    }

    @Inject
    ObjectStore store;

    /** A pipeline worker with full buckets of its own. */
    static String worker() {
        return TestTokens.pipeline(freshUser("worker"));
    }

    static String generation() {
        return given().auth()
                .oauth2(worker())
                .contentType("application/json")
                .body(Map.of("prompt", "limits " + freshUser("p")))
                .post("/api/v1/generations?reuse=false")
                .then()
                .statusCode(201)
                .extract()
                .path("generation_id");
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
    void artifactsPastThePipelineLimitAre413() {
        String gen = generation();
        String comp = given().auth()
                .oauth2(worker())
                .contentType("application/json")
                .body(Map.of("generation_id", gen, "timeline", Compositions.timeline(Compositions.clip(1, 0))))
                .post("/api/v1/compositions")
                .then()
                .statusCode(201)
                .extract()
                .path("composition_id");
        String job = freshUser("job");
        Map<String, String> targets = Map.of(
                "/api/v1/generations/" + gen + "/clips/1",
                "video/mp4",
                "/api/v1/compositions/" + comp + "/final",
                "video/mp4",
                "/api/v1/temp/" + job + "/a.tmp",
                "application/octet-stream");
        byte[] tooLarge = Samples.mp4(PIPELINE_MAX + 1);
        targets.forEach((path, type) -> {
            // from Content-Length, before reading
            problem(
                    given().auth()
                            .oauth2(worker())
                            .contentType(type)
                            .body(tooLarge)
                            .put(path)
                            .then(),
                    413,
                    "payload_too_large");
            // chunked: as soon as the body passes the limit
            problem(
                    given().auth()
                            .oauth2(worker())
                            .contentType(type)
                            .body(new ByteArrayInputStream(Samples.mp4(PIPELINE_MAX + 50_000)))
                            .put(path)
                            .then(),
                    413,
                    "payload_too_large");
            // the limit itself is allowed
            given().auth()
                    .oauth2(worker())
                    .contentType(type)
                    .body(Samples.mp4(PIPELINE_MAX))
                    .put(path)
                    .then()
                    .statusCode(200);
        });
        given().auth()
                .oauth2(worker())
                .get("/api/v1/compositions/" + comp)
                .then()
                .statusCode(200)
                .body("status", equalTo("rendered"));
    }

    /**
     * A direct upload whose stored object is not the promised size ({@code complete} finds it: the object here is
     * written past the signed route, which refuses another length itself) is refused with 400 {@code length_mismatch},
     * and the upload ends: object and pending upload deleted, completing again is 404.
     */
    @Test
    void aDirectUploadOfAnotherLengthIsALengthMismatch() {
        String user = freshUser("mismatch");
        String token = TestTokens.user(user);
        ExtractableResponse<Response> presigned = Uploads.presign(token, "a.png", "image/png", 5_000);
        assertEquals(201, presigned.statusCode());
        String id = presigned.path("upload_id");
        byte[] shorter = Samples.png(4_000);
        store.put(
                        ObjectKey.parse("uploads/" + user + "/" + id + "/original.png"),
                        Multi.createFrom().item(ByteBuffer.wrap(shorter)),
                        OptionalLong.of(shorter.length),
                        "image/png")
                .await()
                .atMost(Duration.ofSeconds(10));
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                400,
                "length_mismatch");
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                404,
                "not_found");
        assertFalse(anyObjectUnder("uploads/" + user + "/" + id + "/original"), "the refused object is deleted");
    }

    /** Artifact PUTs draw on the caller's upload bucket: past it, 429 with Retry-After, the body never stored. */
    @Test
    void artifactPutsAreRateLimited() {
        String token = TestTokens.pipeline(freshUser("busy"));
        String job = freshUser("job");
        for (int i = 0; i < PIPELINE_UPLOADS; i++) {
            given().auth()
                    .oauth2(token)
                    .contentType("application/octet-stream")
                    .body(new byte[100])
                    .put("/api/v1/temp/" + job + "/" + i + ".tmp")
                    .then()
                    .statusCode(200);
        }
        assertRateLimited(
                given().auth()
                        .oauth2(token)
                        .contentType("application/octet-stream")
                        .body(new byte[100])
                        .put("/api/v1/temp/" + job + "/late.tmp")
                        .then(),
                60);
        String gen = generation();
        assertRateLimited(
                given().auth()
                        .oauth2(token)
                        .contentType("video/mp4")
                        .body(Samples.mp4(1000))
                        .put("/api/v1/generations/" + gen + "/clips/1")
                        .then(),
                60);
        assertFalse(anyObjectUnder("temp/" + job + "/late"), "nothing of a refused PUT is stored");
        assertFalse(anyObjectUnder("generations/" + gen + "/clips/"), "nothing of a refused PUT is stored");
        // another worker is not affected
        given().auth()
                .oauth2(worker())
                .contentType("application/octet-stream")
                .body(new byte[100])
                .put("/api/v1/temp/" + job + "/late.tmp")
                .then()
                .statusCode(200);
    }

    /** A generation's view signs preview URLs: it draws on the URL bucket (a pipeline caller's: 6 here). */
    @Test
    void generationViewsAreRateLimited() {
        String token = TestTokens.pipeline(freshUser("viewer"));
        String gen = generation();
        for (int i = 0; i < RateLimitProfile.PIPELINE_URLS; i++) {
            given().auth()
                    .oauth2(token)
                    .get("/api/v1/generations/" + gen)
                    .then()
                    .statusCode(200);
        }
        assertRateLimited(
                given().auth().oauth2(token).get("/api/v1/generations/" + gen).then(), 60);
        assertRateLimited(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/generations/" + gen + "/complete")
                        .then(),
                60);
        given().auth().oauth2(worker()).get("/api/v1/generations/" + gen).then().statusCode(200);
    }

    /**
     * A page reads at most 3 metadata documents here: a listing of 5 generations of one user answers short pages with a
     * {@code next_after}, and following it finds all 5, each once, in id order.
     */
    @Test
    void aListingPastTheQueryCapAnswersShortPagesThatContinue() {
        String user = freshUser("capped");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(Generations.createFor(user, "capped " + i));
        }
        String token = worker();
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        boolean shortPageWithCursor = false;
        do {
            var page = given().auth()
                    .oauth2(token)
                    .queryParam("user_id", user)
                    .queryParam("limit", 100)
                    .queryParam("since", LocalDate.now(ZoneOffset.UTC).toString())
                    .queryParams(after == null ? Map.of() : Map.of("after", after))
                    .get("/api/v1/generations")
                    .then()
                    .statusCode(200)
                    .extract();
            List<String> items = page.path("items.generation_id");
            assertTrue(items.size() <= MAX_READS, "a page reads at most " + MAX_READS + " documents: " + items);
            seen.addAll(items);
            after = page.path("next_after");
            shortPageWithCursor |= after != null && items.size() < 100;
            assertTrue(++pages < 10_000, "the listing ends");
        } while (after != null);
        assertTrue(shortPageWithCursor, "a page cut by the cap says where to go on");
        assertEquals(ids.stream().sorted().toList(), seen);
    }
}
