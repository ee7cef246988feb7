package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Problems.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.ObjectKey;
import io.reelvault.service.composition.FinalMultipartSweeper;
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.Compositions;
import io.reelvault.support.Generations;
import io.reelvault.support.Poll;
import io.reelvault.support.Samples;
import io.reelvault.support.SignedPut;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.reelvault.support.browser.BrowserProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Direct multipart uploads of a composition's final render ({@code /api/v1/compositions/{id}/final/multipart...}) on
 * the local backend; {@code FinalMultipartApiS3Test} runs every case on S3 (s3proxy).
 */
@QuarkusTest
@TestProfile(BrowserProfile.class)
class FinalMultipartApiTest {
    static final int MIB = 1024 * 1024;
    /** 3 parts of 5 MiB, 5 MiB and 2 MiB + 123 bytes. */
    static final int SIZE = 12 * MIB + 123;

    @Inject
    ObjectStore store;

    @Inject
    FinalMultipartSweeper sweeper;

    @Inject
    AdjustableClock clock;

    @Inject
    ReelvaultConfig config;

    /** Multipart uploads in progress in storage for the composition (local: every upload folder under .multipart). */
    long inProgress(String composition) throws IOException {
        Path dir = TestStorageRoot.path().resolve(".multipart");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    static String composition() {
        return Compositions.ofFirstClip(Generations.create("a final in parts"));
    }

    static String base(String composition) {
        return "/api/v1/compositions/" + composition + "/final/multipart";
    }

    static ValidatableResponse start(String token, String composition, String type, long size) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("content_type", type, "size_bytes", size))
                .post(base(composition))
                .then();
    }

    static ValidatableResponse sign(String token, String composition, String id, List<Integer> numbers) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("part_numbers", numbers))
                .post(base(composition) + "/" + id + "/parts")
                .then();
    }

    static ValidatableResponse complete(String token, String composition, String id, List<Map<String, Object>> parts) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("parts", parts))
                .post(base(composition) + "/" + id + "/complete?compress=false")
                .then();
    }

    static ValidatableResponse abort(String token, String composition, String id) {
        return given().auth().oauth2(token).delete(base(composition) + "/" + id).then();
    }

    static byte[] slice(byte[] file, int n) {
        int from = (n - 1) * BrowserProfile.PART_SIZE;
        return Arrays.copyOfRange(file, from, Math.min(file.length, from + BrowserProfile.PART_SIZE));
    }

    @SuppressWarnings("unchecked")
    static HttpResponse<String> putPart(String composition, String id, byte[] file, int n) throws IOException {
        Map<String, Object> url = sign(PIPELINE, composition, id, List.of(n))
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("parts[0]");
        Object h = url.get("headers");
        return SignedPut.send((String) url.get("url"), h == null ? Map.of() : (Map<String, String>) h, slice(file, n));
    }

    /** Uploads parts 1..count; the completion's parts list. */
    static List<Map<String, Object>> putAll(String composition, String id, byte[] file, int count) throws IOException {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            HttpResponse<String> r = putPart(composition, id, file, n);
            assertEquals(200, r.statusCode(), r.body());
            String etag = r.headers().firstValue("ETag").orElse(null);
            assertNotNull(etag, "the part's answer carries its ETag");
            parts.add(Map.of("part_number", n, "etag", etag));
        }
        return parts;
    }

    byte[] stored(String key) {
        return io.reelvault.support.StoredObjects.bytes(store, key);
    }

    boolean anyObjectUnder(String prefix) {
        return io.reelvault.support.StoredObjects.anyUnder(store, prefix);
    }

    boolean exists(String key) {
        return store.head(ObjectKey.parse(key))
                .await()
                .atMost(Duration.ofSeconds(10))
                .isPresent();
    }

    /** The metadata's fields with the composition's own id, user and times taken out. */
    static Map<String, Object> comparable(Map<String, Object> meta, String composition) {
        Map<String, Object> m = new HashMap<>(meta);
        for (String own : List.of("composition_id", "created_at", "expires_at", "rendered_at", "updated_at")) {
            m.remove(own);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> video = new HashMap<>((Map<String, Object>) m.get("final_video"));
        assertEquals("compositions/" + composition + "/final.mp4", video.remove("key"));
        m.put("final_video", video);
        m.computeIfPresent("thumbnail_error", (k, v) -> ((String) v).replaceAll("@ 0x[0-9a-f]+", "@ ptr"));
        return m;
    }

    @Test
    void threePartsBecomeTheFinalRecordedAsAPlainPutRecordsIt() throws IOException {
        String generation = Generations.create("a final in parts, and one put");
        String comp = Compositions.ofFirstClip(generation);
        byte[] video = Samples.mp4(SIZE);
        long before = inProgress(comp);
        var started = start(PIPELINE, comp, "video/mp4", SIZE)
                .statusCode(201)
                .body("part_size", equalTo(BrowserProfile.PART_SIZE))
                .body("part_count", equalTo(3))
                .body("expires_in", equalTo((int) MultipartUploadService.LIFETIME.toSeconds()))
                .extract()
                .jsonPath();
        String id = started.getString("upload_id");
        assertFalse(started.getMap("").containsKey("key"), "no internal key is handed out");
        sign(PIPELINE, comp, id, List.of(3, 1))
                .statusCode(200)
                .body("parts", hasSize(2))
                .body("parts[0].part_number", equalTo(3))
                .body("parts[0].size_bytes", equalTo(SIZE - 2 * BrowserProfile.PART_SIZE));
        List<Map<String, Object>> parts = putAll(comp, id, video, 3);
        given().auth()
                .oauth2(PIPELINE)
                .get(base(comp) + "/" + id + "/parts?limit=2")
                .then()
                .statusCode(200)
                .body("parts", hasSize(2))
                .body("parts[1].etag", equalTo(parts.get(1).get("etag")))
                .body("next_after", equalTo(2));
        assertFalse(exists("compositions/" + comp + "/final.mp4"), "nothing at the final key before completion");

        Map<String, Object> viaParts = complete(PIPELINE, comp, id, parts)
                .statusCode(200)
                .body("status", equalTo("rendered"))
                .body("final_video.key", equalTo("compositions/" + comp + "/final.mp4"))
                .body("final_video.size_bytes", equalTo(SIZE))
                .body("final_video.sha256", equalTo(Samples.sha256(video)))
                .extract()
                .jsonPath()
                .getMap("");
        byte[] kept = stored("compositions/" + comp + "/final.mp4");
        assertEquals(Samples.sha256(video), Samples.sha256(kept));
        assertArrayEquals(video, kept);
        assertFalse(anyObjectUnder("compositions/" + comp + "/multipart/"), "no record nor staged object left");
        assertTrue(inProgress(comp) <= before, "no multipart upload left in storage");
        complete(PIPELINE, comp, id, parts).statusCode(404);

        // the same bytes through the plain PUT: the same metadata, but for the composition's own id and times
        String plain = Compositions.ofFirstClip(generation);
        Map<String, Object> viaPut = Generations.put(
                        "/api/v1/compositions/" + plain + "/final?compress=false", "video/mp4", video)
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");
        assertEquals(comparable(viaPut, plain), comparable(viaParts, comp));
        // and the same once the background work (thumbnail) is over
        for (String c : List.of(plain, comp)) {
            Poll.until(
                    Duration.ofSeconds(30),
                    "the thumbnail job of " + c,
                    () -> !"extracting".equals(get(c).get("thumbnail")));
        }
        assertEquals(comparable(get(plain), plain), comparable(get(comp), comp));
    }

    static Map<String, Object> get(String composition) {
        return given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + composition)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");
    }

    @Test
    void callersThatMayNotPutTheFinalMayNotUploadItInParts() throws IOException {
        String comp = composition();
        String user = TestTokens.user("final-mp-user");
        // as the plain PUT: a user is 403, an unknown composition 404
        problem(
                given().auth()
                        .oauth2(user)
                        .contentType("video/mp4")
                        .body(Samples.mp4(100))
                        .put("/api/v1/compositions/" + comp + "/final")
                        .then(),
                403,
                "forbidden");
        problem(
                Generations.put(
                        "/api/v1/compositions/comp_20260101_aaaaaaaaaaaaaaaa/final", "video/mp4", Samples.mp4(100)),
                404,
                "not_found");
        problem(start(user, comp, "video/mp4", SIZE), 403, "forbidden");
        String missing = "comp_20260101_aaaaaaaaaaaaaaaa";
        problem(start(PIPELINE, missing, "video/mp4", SIZE), 404, "not_found");
        problem(start(PIPELINE, "comp_nope", "video/mp4", SIZE), 400, "invalid_id");

        String id = start(PIPELINE, comp, "video/mp4", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        problem(sign(user, comp, id, List.of(1)), 403, "forbidden");
        problem(complete(user, comp, id, List.of(Map.of("part_number", 1, "etag", "x"))), 403, "forbidden");
        problem(abort(user, comp, id), 403, "forbidden");
        problem(
                given().auth()
                        .oauth2(user)
                        .get(base(comp) + "/" + id + "/parts")
                        .then(),
                403,
                "forbidden");
        // the upload belongs to its composition: another one's path does not find it
        String other = composition();
        problem(sign(PIPELINE, other, id, List.of(1)), 404, "not_found");
        problem(abort(PIPELINE, other, id), 404, "not_found");
        problem(sign(PIPELINE, comp, "upload_20260101_aaaaaaaaaaaaaaaa", List.of(1)), 404, "not_found");
        abort(PIPELINE, comp, id).statusCode(204);
    }

    @Test
    void wrongTypesAndSizesAreRefusedBeforeAnyUrl() throws IOException {
        String comp = composition();
        long before = inProgress(comp);
        long limit = config.pipeline().maxSize().asLongValue();
        problem(start(PIPELINE, comp, "video/mp4", limit + 1), 413, "payload_too_large");
        problem(start(PIPELINE, comp, "image/png", SIZE), 415, "unsupported_media_type");
        problem(start(PIPELINE, comp, "video/mp4", 0), 400, "invalid_request");
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .contentType(ContentType.JSON)
                        .body(Map.of("content_type", "video/mp4", "size_bytes", SIZE, "part_size", 1024))
                        .post(base(comp))
                        .then(),
                400,
                "invalid_request");
        assertFalse(anyObjectUnder("compositions/" + comp + "/multipart/"), "no upload was recorded");
        assertEquals(before, inProgress(comp), "no storage upload was started");
    }

    @Test
    void bytesThatAreNoMp4AreRefusedAtCompletionAndNeverReachTheFinalKey() throws IOException {
        String comp = composition();
        byte[] first = Samples.mp4(1000);
        Generations.put("/api/v1/compositions/" + comp + "/final?compress=false", "video/mp4", first)
                .statusCode(200);
        byte[] lying = Samples.png(SIZE);
        String id = start(PIPELINE, comp, "video/mp4", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        List<Map<String, Object>> parts = putAll(comp, id, lying, 3);
        problem(complete(PIPELINE, comp, id, parts), 415, "unsupported_media_type");
        assertArrayEquals(first, stored("compositions/" + comp + "/final.mp4"), "the earlier final stays");
        assertFalse(anyObjectUnder("compositions/" + comp + "/multipart/"), "the refused object is deleted");
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + comp)
                .then()
                .statusCode(200)
                .body("final_video.sha256", equalTo(Samples.sha256(first)));
        problem(complete(PIPELINE, comp, id, parts), 404, "not_found");

        String fresh = composition();
        String id2 = start(PIPELINE, fresh, "video/mp4", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        problem(complete(PIPELINE, fresh, id2, putAll(fresh, id2, lying, 3)), 415, "unsupported_media_type");
        assertFalse(exists("compositions/" + fresh + "/final.mp4"), "nothing at the final key");
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + fresh)
                .then()
                .statusCode(200)
                .body("status", equalTo("pending"));
    }

    @Test
    void abortLeavesNothing() throws IOException {
        String comp = composition();
        long before = inProgress(comp);
        byte[] video = Samples.mp4(SIZE);
        String id = start(PIPELINE, comp, "video/mp4", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        List<Map<String, Object>> parts = putAll(comp, id, video, 2);
        abort(PIPELINE, comp, id).statusCode(204);
        assertFalse(anyObjectUnder("compositions/" + comp + "/multipart/"));
        assertFalse(exists("compositions/" + comp + "/final.mp4"));
        assertEquals(before, inProgress(comp), "the storage's upload is gone");
        problem(abort(PIPELINE, comp, id), 404, "not_found");
        problem(complete(PIPELINE, comp, id, parts), 404, "not_found");
    }

    @Test
    void missingOrWrongEtagsAreInvalidParts() throws IOException {
        String comp = composition();
        byte[] video = Samples.mp4(SIZE);
        String id = start(PIPELINE, comp, "video/mp4", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        List<Map<String, Object>> parts = putAll(comp, id, video, 2);
        // part 3 never uploaded
        problem(
                complete(
                        PIPELINE,
                        comp,
                        id,
                        List.of(parts.get(0), parts.get(1), Map.of("part_number", 3, "etag", "\"0\""))),
                400,
                "invalid_part");
        parts = new ArrayList<>(parts);
        parts.addAll(putAll3(comp, id, video));
        // a part left out, a wrong ETag, parts out of order
        problem(complete(PIPELINE, comp, id, parts.subList(0, 2)), 400, "invalid_part");
        List<Map<String, Object>> wrong = new ArrayList<>(parts);
        wrong.set(1, Map.of("part_number", 2, "etag", "\"0123456789abcdef0123456789abcdef\""));
        problem(complete(PIPELINE, comp, id, wrong), 400, "invalid_part");
        problem(complete(PIPELINE, comp, id, List.of(parts.get(1), parts.get(0), parts.get(2))), 400, "invalid_part");
        problem(complete(PIPELINE, comp, id, List.of(Map.of("part_number", 1))), 400, "invalid_part");
        List<Map<String, Object>> noEtag = new ArrayList<>(parts);
        noEtag.set(0, Map.of("part_number", 1, "etag", ""));
        problem(complete(PIPELINE, comp, id, noEtag), 400, "invalid_part");
        noEtag.set(0, Map.of("part_number", 1, "etag", "x".repeat(129)));
        problem(complete(PIPELINE, comp, id, noEtag), 400, "invalid_request");
        assertFalse(exists("compositions/" + comp + "/final.mp4"), "nothing assembled into the final");
        // the upload stays: completing with the right parts works
        complete(PIPELINE, comp, id, parts).statusCode(200).body("final_video.sha256", equalTo(Samples.sha256(video)));
    }

    private static List<Map<String, Object>> putAll3(String comp, String id, byte[] video) throws IOException {
        HttpResponse<String> r = putPart(comp, id, video, 3);
        assertEquals(200, r.statusCode(), r.body());
        return List.of(
                Map.of("part_number", 3, "etag", r.headers().firstValue("ETag").orElseThrow()));
    }

    @Test
    void theSweeperDeletesAStagedObjectLeftWithoutItsRecord() {
        String comp = composition();
        String staged = "compositions/" + comp + "/multipart/upload_20260101_aaaaaaaaaaaaaaaa/final.mp4";
        byte[] bytes = Samples.mp4(1000);
        store.put(
                        ObjectKey.parse(staged),
                        Multi.createFrom().item(ByteBuffer.wrap(bytes)),
                        OptionalLong.of(bytes.length),
                        "video/mp4")
                .await()
                .atMost(Duration.ofSeconds(10));
        sweeper.sweep();
        assertTrue(exists(staged), "younger than the grace: left alone (a completion may be publishing it)");
        FinalMultipartSweeper.Summary summary;
        try {
            clock.setTo(Instant.now().plus(config.uploads().orphanGrace()).plusSeconds(60));
            summary = sweeper.sweep();
        } finally {
            clock.reset();
        }
        assertTrue(summary.orphans() >= 1, summary.toString());
        assertFalse(exists(staged));
    }

    @Test
    void theSweeperEndsAnAbandonedUpload() throws IOException {
        String comp = composition();
        byte[] video = Samples.mp4(SIZE);
        long before = inProgress(comp);
        String id = start(PIPELINE, comp, "video/mp4", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        putAll(comp, id, video, 1);
        assertFalse(sweeper.sweep().skipped());
        assertTrue(anyObjectUnder("compositions/" + comp + "/multipart/"), "a live upload is left alone");
        FinalMultipartSweeper.Summary summary;
        try {
            clock.setTo(Instant.now()
                    .plus(MultipartUploadService.LIFETIME)
                    .plus(config.uploads().orphanGrace())
                    .plusSeconds(60));
            summary = sweeper.sweep();
        } finally {
            clock.reset();
        }
        assertTrue(summary.ended() >= 1, summary.toString());
        assertFalse(anyObjectUnder("compositions/" + comp + "/multipart/"));
        assertTrue(inProgress(comp) <= before, "the storage's upload is aborted");
        problem(sign(PIPELINE, comp, id, List.of(1)), 404, "not_found");
    }
}
