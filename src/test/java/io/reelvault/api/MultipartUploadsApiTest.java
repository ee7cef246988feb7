package io.reelvault.api;

import static io.reelvault.support.Users.freshUser;
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
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.service.upload.UploadSweeper;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.Samples;
import io.reelvault.support.SignedPut;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.reelvault.support.browser.BrowserProfile;
import io.reelvault.support.browser.PageOrigins;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Direct multipart uploads ({@code /api/v1/uploads/multipart} and {@code /{id}/multipart/...}) on the local backend,
 * parts PUT with plain HTTP to the signed part URLs; {@code MultipartUploadsApiS3Test} runs every case on S3.
 */
@QuarkusTest
@TestProfile(BrowserProfile.class)
class MultipartUploadsApiTest {
    static final int MIB = 1024 * 1024;
    /** 3 parts of 5 MiB, 5 MiB and 2 MiB + 123 bytes. */
    static final int SIZE = 12 * MIB + 123;

    @Inject
    ObjectStore store;

    @Inject
    UploadSweeper sweeper;

    @Inject
    AdjustableClock clock;

    @Inject
    ReelvaultConfig config;

    /** Multipart uploads in progress in storage for the user (local: every upload folder under .multipart). */
    long inProgress(String user) throws IOException {
        Path dir = TestStorageRoot.path().resolve(".multipart");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    boolean localBackend() {
        return true;
    }

    /** The status of a part PUT the storage refuses (a bad signature or length). */
    int statusOfARefusedPut(String url, Map<String, String> headers, byte[] body) throws IOException {
        return SignedPut.send(url, headers, body).statusCode();
    }

    /** The status of a part PUT of an aborted upload. */
    int statusOfAPartAfterAbort() {
        return 404;
    }

    /** Starts a multipart upload of a {@link #SIZE}-byte PNG (201 checked); its upload id. */
    static String startPng(String token, String filename) {
        return start(token, filename, "image/png", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
    }

    static ValidatableResponse start(String token, String filename, String type, long size) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("filename", filename, "content_type", type, "size_bytes", size))
                .post("/api/v1/uploads/multipart")
                .then();
    }

    static ValidatableResponse sign(String token, String id, List<Integer> numbers) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("part_numbers", numbers))
                .post("/api/v1/uploads/" + id + "/multipart/parts")
                .then();
    }

    static ValidatableResponse complete(String token, String id, List<Map<String, Object>> parts) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("parts", parts))
                .post("/api/v1/uploads/" + id + "/multipart/complete")
                .then();
    }

    /** PUTs part {@code n} (1-based) of {@code file} to its signed URL; the answer's ETag. */
    static HttpResponse<String> putPart(String token, String id, byte[] file, int n) throws IOException {
        Map<String, Object> url =
                sign(token, id, List.of(n)).statusCode(200).extract().jsonPath().getMap("parts[0]");
        return SignedPut.send((String) url.get("url"), headers(url), slice(file, n));
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> headers(Map<String, Object> url) {
        Object h = url.get("headers");
        return h == null ? Map.of() : (Map<String, String>) h;
    }

    static byte[] slice(byte[] file, int n) {
        int from = (n - 1) * BrowserProfile.PART_SIZE;
        return Arrays.copyOfRange(file, from, Math.min(file.length, from + BrowserProfile.PART_SIZE));
    }

    /** Uploads every part; the completion's parts list. */
    static List<Map<String, Object>> putAll(String token, String id, byte[] file, int count) throws IOException {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            HttpResponse<String> r = putPart(token, id, file, n);
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

    @Test
    void threePartsAssembleIntoTheFileAndCompletingTwiceAnswersTheSame() throws IOException {
        String user = freshUser("mp");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(SIZE);
        var started = start(token, "big.png", "image/png", SIZE)
                .statusCode(201)
                .body("part_size", equalTo(BrowserProfile.PART_SIZE))
                .body("part_count", equalTo(3))
                .body("expires_in", equalTo((int) MultipartUploadService.LIFETIME.toSeconds()))
                .extract()
                .jsonPath();
        String id = started.getString("upload_id");
        assertFalse(started.getMap("").containsKey("key"), "no internal key is handed out");

        // parts in any order; the batch signs all three, each bound to its length
        sign(token, id, List.of(3, 1, 2))
                .statusCode(200)
                .body("parts", hasSize(3))
                .body("parts[0].part_number", equalTo(3))
                .body("parts[0].size_bytes", equalTo(SIZE - 2 * BrowserProfile.PART_SIZE))
                .body("parts[1].size_bytes", equalTo(BrowserProfile.PART_SIZE))
                .body("parts[0].method", equalTo("PUT"));
        List<Map<String, Object>> parts = putAll(token, id, png, 3);

        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(200)
                .body("parts", hasSize(3))
                .body("parts[0].part_number", equalTo(1))
                .body("parts[0].size_bytes", equalTo(BrowserProfile.PART_SIZE))
                .body("parts[2].etag", equalTo(parts.get(2).get("etag")))
                .body("next_after", equalTo(null));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts?limit=2")
                .then()
                .statusCode(200)
                .body("parts", hasSize(2))
                .body("next_after", equalTo(2));

        var meta = complete(token, id, parts)
                .statusCode(200)
                .body("upload_id", equalTo(id))
                .body("size_bytes", equalTo(SIZE))
                .body("content_type", equalTo("image/png"))
                .body("sha256", equalTo(Samples.sha256(png)))
                .extract()
                .jsonPath();
        assertArrayEquals(png, stored(meta.getString("key")));
        complete(token, id, parts).statusCode(200).body("sha256", equalTo(Samples.sha256(png)));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id)
                .then()
                .statusCode(200)
                .body("size_bytes", equalTo(SIZE));
        assertFalse(anyObjectUnder("uploads/" + user + "/" + id + "/multipart.json"), "the record is gone");
        assertEquals(0, inProgress(user), "no multipart upload left in storage");
    }

    @Test
    void aPartOfAnotherLengthIsRefused() throws IOException {
        String token = TestTokens.user(freshUser("mplen"));
        byte[] png = Samples.png(SIZE);
        String id = startPng(token, "a.png");
        Map<String, Object> url =
                sign(token, id, List.of(1)).statusCode(200).extract().jsonPath().getMap("parts[0]");
        byte[] shorter = Arrays.copyOf(slice(png, 1), BrowserProfile.PART_SIZE - 1);
        assertEquals(403, statusOfARefusedPut((String) url.get("url"), headers(url), shorter));
        byte[] longer = Arrays.copyOf(slice(png, 1), BrowserProfile.PART_SIZE + 1);
        assertEquals(403, statusOfARefusedPut((String) url.get("url"), headers(url), longer));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(200)
                .body("parts", hasSize(0));
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }

    @Test
    void aTamperedPartUrlIsRefused() throws IOException {
        String token = TestTokens.user(freshUser("mptamper"));
        byte[] png = Samples.png(SIZE);
        String id = startPng(token, "a.png");
        Map<String, Object> url =
                sign(token, id, List.of(2)).statusCode(200).extract().jsonPath().getMap("parts[0]");
        String signed = (String) url.get("url");
        String tampered = signed.replaceFirst("(?i)(partNumber|X-Part-Number)=2(&|$)", "$1=1$2");
        assertFalse(tampered.equals(signed), signed);
        assertEquals(403, statusOfARefusedPut(tampered, headers(url), slice(png, 1)));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(200)
                .body("parts", hasSize(0));
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }

    @Test
    void anExpiredPartUrlIsRefused() throws IOException {
        Assumptions.assumeTrue(localBackend(), "S3 presigned URLs expire by S3's clock, not the service's");
        String token = TestTokens.user(freshUser("mpexp"));
        byte[] png = Samples.png(SIZE);
        String id = startPng(token, "a.png");
        Map<String, Object> url;
        try {
            clock.setTo(Instant.now().minus(Duration.ofMinutes(16))); // signed 16 minutes ago: 15 minutes valid
            url = sign(token, id, List.of(1))
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getMap("parts[0]");
        } finally {
            clock.reset();
        }
        HttpResponse<String> r = SignedPut.send((String) url.get("url"), headers(url), slice(png, 1));
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("signature_expired"), r.body());
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }

    @Test
    void signingIsBounded() {
        String token = TestTokens.user(freshUser("mpsign"));
        String id = startPng(token, "a.png");
        sign(token, id, List.of(0)).statusCode(400).body("code", equalTo("invalid_request"));
        sign(token, id, List.of(4)).statusCode(400).body("code", equalTo("invalid_request"));
        sign(token, id, List.of()).statusCode(400).body("code", equalTo("invalid_request"));
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(1);
        }
        sign(token, id, many).statusCode(400).body("code", equalTo("invalid_request"));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts?limit=1001")
                .then()
                .statusCode(400)
                .body("code", equalTo("invalid_request"));
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }

    @Test
    void startIsCheckedBeforeAnyUrl() {
        String token = TestTokens.user(freshUser("mpstart"));
        start(token, "a.png", "image/png", 16L * MIB + 1).statusCode(413).body("code", equalTo("payload_too_large"));
        start(token, "a.png", "audio/mpeg", SIZE).statusCode(415).body("code", equalTo("unsupported_media_type"));
        start(token, "dir/", "image/png", SIZE).statusCode(400).body("code", equalTo("invalid_filename"));
        start(token, "a.png", "image/png", 0).statusCode(400).body("code", equalTo("invalid_request"));
    }

    @Test
    void anotherUsersUploadIsNotFound() {
        String owner = TestTokens.user(freshUser("mpowner"));
        String other = TestTokens.user(freshUser("mpother"));
        String id = start(owner, "a.png", "image/png", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        sign(other, id, List.of(1)).statusCode(404).body("code", equalTo("not_found"));
        given().auth()
                .oauth2(other)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(404);
        complete(other, id, List.of(Map.of("part_number", 1, "etag", "\"x\""))).statusCode(404);
        given().auth()
                .oauth2(other)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(404);
        sign(owner, "../../x", List.of(1)).statusCode(404);
        sign(owner, "upload_bad", List.of(1)).statusCode(400).body("code", equalTo("invalid_id"));
        given().auth()
                .oauth2(owner)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }

    @Test
    void aWrongEtagOrAMissingPartIsAClear400() throws IOException {
        String token = TestTokens.user(freshUser("mpetag"));
        byte[] png = Samples.png(SIZE);
        String id = startPng(token, "a.png");
        List<Map<String, Object>> parts = putAll(token, id, png, 2); // part 3 never uploaded
        List<Map<String, Object>> all = new ArrayList<>(parts);
        all.add(Map.of("part_number", 3, "etag", "\"0123456789abcdef0123456789abcdef\""));
        complete(token, id, all).statusCode(400).body("code", equalTo("invalid_part"));
        complete(token, id, parts).statusCode(400).body("code", equalTo("invalid_part")); // 2 of 3
        HttpResponse<String> third = putPart(token, id, png, 3);
        assertEquals(200, third.statusCode());
        List<Map<String, Object>> wrong = new ArrayList<>(parts);
        wrong.set(0, Map.of("part_number", 1, "etag", parts.get(1).get("etag")));
        wrong.add(Map.of(
                "part_number", 3, "etag", third.headers().firstValue("ETag").orElseThrow()));
        complete(token, id, wrong).statusCode(400).body("code", equalTo("invalid_part"));
        List<Map<String, Object>> reordered = new ArrayList<>(wrong);
        reordered.set(0, parts.get(1));
        reordered.set(1, parts.get(0));
        complete(token, id, reordered).statusCode(400).body("code", equalTo("invalid_part"));
        List<Map<String, Object>> noEtag = new ArrayList<>(wrong);
        noEtag.set(0, Map.of("part_number", 1));
        complete(token, id, noEtag).statusCode(400).body("code", equalTo("invalid_part"));
        // nothing was assembled: fixed, it completes
        List<Map<String, Object>> right = new ArrayList<>(parts);
        right.add(Map.of(
                "part_number", 3, "etag", third.headers().firstValue("ETag").orElseThrow()));
        complete(token, id, right).statusCode(200).body("sha256", equalTo(Samples.sha256(png)));
    }

    @Test
    void bytesThatAreNotTheDeclaredTypeAre415AndLeaveNothing() throws IOException {
        String user = freshUser("mpmagic");
        String token = TestTokens.user(user);
        byte[] noise = new byte[SIZE];
        new Random(7).nextBytes(noise);
        String id = startPng(token, "a.png");
        List<Map<String, Object>> parts = putAll(token, id, noise, 3);
        complete(token, id, parts).statusCode(415).body("code", equalTo("unsupported_media_type"));
        assertFalse(anyObjectUnder("uploads/" + user + "/"), "neither the object nor the record remains");
        complete(token, id, parts).statusCode(404);
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(404);
        assertEquals(0, inProgress(user));
    }

    @Test
    void abortDiscardsThePartsAndTheUpload() throws IOException {
        String user = freshUser("mpabort");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(SIZE);
        long before = inProgress(user);
        String id = startPng(token, "a.png");
        Map<String, Object> url =
                sign(token, id, List.of(2)).statusCode(200).extract().jsonPath().getMap("parts[0]");
        List<Map<String, Object>> parts = putAll(token, id, png, 1);
        assertEquals(before + 1, inProgress(user));
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
        assertEquals(before, inProgress(user), "the storage's upload is gone");
        assertFalse(anyObjectUnder("uploads/" + user + "/"));
        int late = SignedPut.send((String) url.get("url"), headers(url), slice(png, 2))
                .statusCode();
        assertEquals(statusOfAPartAfterAbort(), late);
        assertEquals(before, inProgress(user));
        complete(token, id, parts).statusCode(404);
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(404);
    }

    /** DELETE of the upload itself while its parts are still coming aborts it, as S3 clients expect of a delete. */
    @Test
    void deletingAnUploadInProgressAbortsIt() throws IOException {
        String user = freshUser("mpdelete");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(SIZE);
        long before = inProgress(user);
        String id = startPng(token, "d.png");
        List<Map<String, Object>> parts = putAll(token, id, png, 1);
        assertEquals(before + 1, inProgress(user));
        given().auth()
                .oauth2(TestTokens.user(freshUser("mpdelete-other")))
                .delete("/api/v1/uploads/" + id)
                .then()
                .statusCode(404); // another caller's: not found, and left alone
        assertEquals(before + 1, inProgress(user));
        given().auth().oauth2(token).delete("/api/v1/uploads/" + id).then().statusCode(204);
        assertEquals(before, inProgress(user), "the storage's upload is gone");
        assertFalse(anyObjectUnder("uploads/" + user + "/"));
        complete(token, id, parts).statusCode(404);
        given().auth().oauth2(token).delete("/api/v1/uploads/" + id).then().statusCode(404);
    }

    @Test
    void theSweeperAbortsAnExpiredUpload() throws IOException {
        String user = freshUser("mpsweep");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(SIZE);
        long before = inProgress(user);
        String id = startPng(token, "a.png");
        putAll(token, id, png, 1);
        assertFalse(sweeper.sweep().skipped());
        assertEquals(before + 1, inProgress(user), "a live upload is left alone");
        UploadSweeper.Summary summary;
        try {
            clock.setTo(Instant.now()
                    .plus(MultipartUploadService.LIFETIME)
                    .plus(config.uploads().orphanGrace())
                    .plusSeconds(60));
            summary = sweeper.sweep();
        } finally {
            clock.reset();
        }
        assertTrue(summary.deleted().get(UploadSweeper.Reason.ABANDONED) >= 1, summary.toString());
        // at most as many as before: the sweep may also end uploads other tests left behind
        long after = inProgress(user);
        assertTrue(
                after <= before, "the storage's upload is aborted: " + after + " in progress, " + before + " before");
        assertFalse(anyObjectUnder("uploads/" + user + "/"));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(404);
    }

    @Test
    void theClientMayChooseThePartSize() throws IOException {
        String token = TestTokens.user(freshUser("mpsize"));
        byte[] png = Samples.png(SIZE);
        int six = 6 * MIB;
        String id = given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("filename", "a.png", "content_type", "image/png", "size_bytes", SIZE, "part_size", six))
                .post("/api/v1/uploads/multipart")
                .then()
                .statusCode(201)
                .body("part_size", equalTo(six))
                .body("part_count", equalTo(3))
                .extract()
                .path("upload_id");
        List<Map<String, Object>> parts = new ArrayList<>();
        List<Map<String, Object>> urls =
                sign(token, id, List.of(1, 2, 3)).statusCode(200).extract().path("parts");
        for (Map<String, Object> url : urls) {
            int n = (Integer) url.get("part_number");
            byte[] part = Arrays.copyOfRange(png, (n - 1) * six, Math.min(SIZE, n * six));
            assertEquals(part.length, ((Number) url.get("size_bytes")).intValue());
            HttpResponse<String> r = SignedPut.send((String) url.get("url"), headers(url), part);
            assertEquals(200, r.statusCode(), r.body());
            parts.add(Map.of(
                    "part_number", n, "etag", r.headers().firstValue("ETag").orElseThrow()));
        }
        complete(token, id, parts).statusCode(200).body("sha256", equalTo(Samples.sha256(png)));

        for (long bad : List.of(5L * MIB - 1, 5L * 1024 * MIB + 1)) {
            given().auth()
                    .oauth2(token)
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "filename", "a.png", "content_type", "image/png", "size_bytes", SIZE, "part_size", bad))
                    .post("/api/v1/uploads/multipart")
                    .then()
                    .statusCode(400)
                    .body("code", equalTo("invalid_request"));
        }
    }

    @Test
    void aBrowserSeesThePartsEtag() throws IOException {
        Assumptions.assumeTrue(localBackend(), "on S3 the bucket's CORS rule answers (deploy/s3-cors-config.json)");
        String token = TestTokens.user(freshUser("mpcors"));
        byte[] png = Samples.png(SIZE);
        String id = startPng(token, "a.png");
        Map<String, Object> url =
                sign(token, id, List.of(3)).statusCode(200).extract().jsonPath().getMap("parts[0]");
        Map<String, String> headers = new java.util.HashMap<>(headers(url));
        String origin = PageOrigins.allowed().origin(); // the profile's ALLOWED_ORIGINS
        headers.put("Origin", origin);
        HttpResponse<String> r = SignedPut.send((String) url.get("url"), headers, slice(png, 3));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("ETag").isPresent());
        assertEquals(
                origin, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(
                r.headers()
                        .firstValue("Access-Control-Expose-Headers")
                        .orElse("")
                        .contains("ETag"),
                r.headers().map().toString());
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }
}
