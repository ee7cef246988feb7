package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Uploads.presign;
import static io.reelvault.support.Uploads.putSigned;
import static io.reelvault.support.Uploads.putTo;
import static io.reelvault.support.Uploads.uploadRaw;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.UploadId;
import io.reelvault.model.UrlPurpose;
import io.reelvault.service.upload.UploadSweeper;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.restassured.RestAssured;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** The uploads API on the local backend; {@code UploadsApiS3Test} runs the same tests on S3. */
@QuarkusTest
@OpenApiContract.Checked
class UploadsApiTest {
    static final Path ROOT = TestStorageRoot.path();

    @Inject
    ObjectStore store;

    @Inject
    UploadSweeper sweeper;

    @Inject
    AdjustableClock clock;

    @Inject
    ReelvaultConfig config;

    /** Sweeps uploads as the sweeper would once an upload URL's 15 minutes and the grace have passed. */
    UploadSweeper.Summary sweepLater() {
        try {
            clock.setTo(Instant.now()
                    .plus(UrlPurpose.USER_UPLOAD.expiry())
                    .plus(config.uploads().orphanGrace())
                    .plusSeconds(60));
            return sweeper.sweep();
        } finally {
            clock.reset();
        }
    }

    /** Whether any object exists under the prefix, asked of whichever backend runs. */
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

    /**
     * Whether anything of a deleted or refused upload is left under the prefix. The S3 twin does not count the
     * empty tombstone that replaces a direct upload's original while its URL may still work (the sweeper removes it).
     */
    boolean anythingLeftUnder(String prefix) {
        return anyObjectUnder(prefix);
    }

    byte[] stored(String key) {
        ObjectContent c =
                store.get(ObjectKey.parse(key), Optional.empty()).await().atMost(Duration.ofSeconds(10));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.body().subscribe().asIterable().forEach(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.writeBytes(a);
        });
        return out.toByteArray();
    }

    /** No half-written object anywhere: local temp files, or S3 multipart uploads in progress. */
    void assertNoPartialWrites() throws IOException {
        try (Stream<Path> temp = Files.list(ROOT.resolve(".tmp"))) {
            assertEquals(
                    0,
                    temp.filter(p -> p.getFileName().toString().startsWith("put-"))
                            .count(),
                    "no temp files remain");
        }
    }

    @Test
    void rawUploadStoresOriginalAndMetadata() throws IOException {
        byte[] png = Samples.png(300_000);
        String token = TestTokens.user("alice");
        var body = uploadRaw(token, "logo.png", "image/png", png)
                .statusCode(201)
                .header("Location", containsString("/api/v1/uploads/upload_"))
                .body("upload_id", matchesPattern("upload_\\d{8}_[a-z0-9]{16}"))
                .body("user_id", equalTo("alice"))
                .body("filename", equalTo("logo.png"))
                .body("content_type", equalTo("image/png"))
                .body("size_bytes", equalTo(png.length))
                .body("sha256", equalTo(Samples.sha256(png)))
                .body("created_at", not(nullValue()))
                .body("$", not(Matchers.hasKey("upload_url_expires_at")))
                .extract();
        String id = body.path("upload_id");
        String key = body.path("key");
        // absolute, on the request's own base: made after the store answered, off the request's thread
        assertEquals(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/uploads/" + id, body.header("Location"));
        assertEquals("uploads/alice/" + id + "/original.png", key);
        assertArrayEquals(png, stored(key));
        String metadata = new String(stored("uploads/alice/" + id + "/metadata.json"), StandardCharsets.UTF_8);
        for (String field :
                new String[] {"upload_id", "user_id", "filename", "content_type", "size_bytes", "sha256", "created_at"
                }) {
            assertTrue(metadata.contains("\"" + field + "\""), field + " in metadata.json");
        }
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id)
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)))
                .body("size_bytes", equalTo(png.length));
    }

    @Test
    void multipartUploadStreamsTheFilePart() {
        byte[] mp3 = Samples.mp3(200_000);
        given().auth()
                .oauth2(TestTokens.user("bob"))
                .multiPart("note", "ignored text field")
                .multiPart("file", "jingle.mp3", mp3, "audio/mpeg")
                .when()
                .post("/api/v1/uploads")
                .then()
                .statusCode(201)
                .body("filename", equalTo("jingle.mp3"))
                .body("content_type", equalTo("audio/mpeg"))
                .body("size_bytes", equalTo(mp3.length))
                .body("sha256", equalTo(Samples.sha256(mp3)));
    }

    @Test
    void multipartWithoutAFilePartIsRejected() {
        problem(
                given().auth()
                        .oauth2(TestTokens.user("bob"))
                        .multiPart("other", "x")
                        .when()
                        .post("/api/v1/uploads")
                        .then(),
                400,
                "invalid_request");
    }

    @Test
    void everyAllowedTypeIsAccepted() {
        String token = TestTokens.user("types");
        uploadRaw(token, "a.jpeg", "image/jpeg", Samples.jpeg(100))
                .statusCode(201)
                .body("key", containsString("original.jpg"));
        uploadRaw(token, "a.gif", "image/gif", Samples.gif(100)).statusCode(201);
        uploadRaw(token, "a.wav", "audio/wav", Samples.wav(100)).statusCode(201);
        uploadRaw(token, "a.wav", "audio/x-wav", Samples.wav(100)).statusCode(201);
        uploadRaw(token, "a.mp3", "audio/mpeg", Samples.mp3(100)).statusCode(201);
    }

    @Test
    void magicBytesMustMatchTheDeclaredType() {
        String mallory = freshUser("mallory");
        String token = TestTokens.user(mallory);
        problem(uploadRaw(token, "song.mp3", "audio/mpeg", Samples.png(5000)), 415, "unsupported_media_type")
                .body("detail", containsString("PNG"));
        problem(
                uploadRaw(token, "logo.png", "image/png", "<html>not an image</html>".getBytes()),
                415,
                "unsupported_media_type");
        problem(
                uploadRaw(token, "tiny.png", "image/png", new byte[] {(byte) 0x89, 'P'}),
                415,
                "unsupported_media_type");
        problem(uploadRaw(token, "logo.png", "audio/mpeg", Samples.png(100)), 415, "unsupported_media_type");
        problem(uploadRaw(token, "logo.png", "image/jpeg", Samples.png(100)), 415, "unsupported_media_type");
        problem(
                uploadRaw(token, "tool.exe", "application/octet-stream", new byte[] {'M', 'Z'}),
                415,
                "unsupported_media_type");
        problem(
                uploadRaw(token, "clip.mp4", "video/mp4", new byte[] {0, 0, 0, 0x20, 'f', 't', 'y', 'p'}),
                415,
                "unsupported_media_type");
        assertFalse(anyObjectUnder("uploads/" + mallory + "/"), "nothing of a rejected upload is kept");
    }

    @Test
    void badFileNamesAreRejected() {
        String token = TestTokens.user("mallory2");
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("image/png")
                        .body(Samples.png(10))
                        .post("/api/v1/uploads")
                        .then(),
                400,
                "invalid_filename");
        problem(uploadRaw(token, "a\u0001b.png", "image/png", Samples.png(10)), 400, "invalid_filename");
    }

    @Test
    void sizeLimitIsEnforcedBeforeAndWhileReading() throws IOException {
        String big = freshUser("big");
        String token = TestTokens.user(big);
        byte[] tooBig = Samples.png(2 * 1024 * 1024 + 1); // %test limit is 2M
        problem(uploadRaw(token, "big.png", "image/png", tooBig), 413, "payload_too_large");
        // no Content-Length: the limit is only found while streaming
        InputStream chunked = new ByteArrayInputStream(tooBig);
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("image/png")
                        .queryParam("filename", "big.png")
                        .body(chunked)
                        .post("/api/v1/uploads")
                        .then(),
                413,
                "payload_too_large");
        problem(
                given().auth()
                        .oauth2(token)
                        .multiPart("file", "big.png", tooBig, "image/png")
                        .post("/api/v1/uploads")
                        .then(),
                413,
                "payload_too_large");
        assertFalse(anyObjectUnder("uploads/" + big + "/"), "nothing of an oversized upload is kept");
        assertNoPartialWrites();
        uploadRaw(token, "max.png", "image/png", Samples.png(2 * 1024 * 1024)).statusCode(201);
    }

    @Test
    void listGetDeleteOwnUploads() {
        String token = TestTokens.user("carol");
        String first = uploadRaw(token, "a.png", "image/png", Samples.png(100))
                .statusCode(201)
                .extract()
                .path("upload_id");
        String second = uploadRaw(token, "b.gif", "image/gif", Samples.gif(100))
                .statusCode(201)
                .extract()
                .path("upload_id");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items.upload_id", hasItem(first))
                .body("items.upload_id", hasItem(second))
                .body("items.user_id", everyItem(equalTo("carol")));
        String page1Next = given().auth()
                .oauth2(token)
                .queryParam("limit", 1)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(1))
                .extract()
                .path("next_after");
        given().auth()
                .oauth2(token)
                .queryParam("limit", 1)
                .queryParam("after", page1Next)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].upload_id", not(equalTo(page1Next)));
        problem(
                given().auth()
                        .oauth2(token)
                        .queryParam("limit", 0)
                        .get("/api/v1/uploads")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(token)
                        .queryParam("limit", 1001)
                        .get("/api/v1/uploads")
                        .then(),
                400,
                "invalid_request");

        given().auth().oauth2(token).delete("/api/v1/uploads/" + first).then().statusCode(204);
        problem(given().auth().oauth2(token).get("/api/v1/uploads/" + first).then(), 404, "not_found");
        problem(given().auth().oauth2(token).delete("/api/v1/uploads/" + first).then(), 404, "not_found");
        given().auth().oauth2(token).get("/api/v1/uploads").then().body("items.upload_id", not(hasItem(first)));
        assertFalse(anythingLeftUnder("uploads/carol/" + first + "/"), "gone from storage");
    }

    @Test
    void anotherUsersUploadIsNotFound() {
        String owner = TestTokens.user("dave");
        String id = uploadRaw(owner, "a.png", "image/png", Samples.png(100))
                .statusCode(201)
                .extract()
                .path("upload_id");
        String intruder = TestTokens.user("eve");
        problem(given().auth().oauth2(intruder).get("/api/v1/uploads/" + id).then(), 404, "not_found");
        problem(
                given().auth()
                        .oauth2(intruder)
                        .get("/api/v1/uploads/" + id + "/url")
                        .then(),
                404,
                "not_found");
        problem(given().auth().oauth2(intruder).delete("/api/v1/uploads/" + id).then(), 404, "not_found");
        given().auth()
                .oauth2(intruder)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items.upload_id", not(hasItem(id)));
        given().auth().oauth2(owner).get("/api/v1/uploads/" + id).then().statusCode(200);
    }

    @Test
    void hostileIdsAreRejectedAtTheEdge() {
        String token = TestTokens.user("frank");
        problem(given().auth().oauth2(token).get("/api/v1/uploads/not-an-id").then(), 400, "invalid_id");
        problem(
                given().auth()
                        .oauth2(token)
                        .get("/api/v1/uploads/upload_20261129_abcdefghijkl%2F..%2F..")
                        .then(),
                400,
                "invalid_id");
        problem(
                given().auth()
                        .oauth2(token)
                        .queryParam("after", "../x")
                        .get("/api/v1/uploads")
                        .then(),
                400,
                "invalid_id");
    }

    @Test
    void callersMustAuthenticate() {
        problem(given().get("/api/v1/uploads").then(), 401, "unauthenticated").header("WWW-Authenticate", "Bearer");
        problem(given().auth().oauth2("not.a.jwt").get("/api/v1/uploads").then(), 401, "unauthenticated");
        problem(
                given().auth()
                        .oauth2(TestTokens.expired("alice"))
                        .get("/api/v1/uploads")
                        .then(),
                401,
                "unauthenticated");
        problem(
                given().auth()
                        .oauth2(TestTokens.otherIssuer("alice"))
                        .get("/api/v1/uploads")
                        .then(),
                401,
                "unauthenticated");
        // the same issuer and key, but minted for another application (or for none): not ours
        problem(
                given().auth()
                        .oauth2(TestTokens.otherAudience("alice"))
                        .get("/api/v1/uploads")
                        .then(),
                401,
                "unauthenticated");
        problem(
                given().auth()
                        .oauth2(TestTokens.noAudience("alice"))
                        .get("/api/v1/uploads")
                        .then(),
                401,
                "unauthenticated");
        problem(
                given().auth()
                        .oauth2(TestTokens.user("../admin"))
                        .get("/api/v1/uploads")
                        .then(),
                401,
                "invalid_subject");
        problem(uploadRaw("garbage", "a.png", "image/png", Samples.png(10)), 401, "unauthenticated");
    }

    @Test
    void directUploadPresignPutComplete() throws Exception {
        String token = TestTokens.user(freshUser("direct"));
        byte[] png = Samples.png(20_000);
        var presigned = given().auth()
                .oauth2(token)
                .contentType("application/json")
                .body(Map.of("filename", "logo.png", "content_type", "image/png", "size_bytes", png.length))
                .post("/api/v1/uploads/presign")
                .then()
                .statusCode(201)
                .body("upload_id", matchesPattern("upload_\\d{8}_[a-z0-9]{16}"))
                .body("method", equalTo("PUT"))
                .body("expires_in", equalTo(900))
                .body("headers.Content-Type", equalTo("image/png"))
                .extract();
        String id = presigned.path("upload_id");
        String url = presigned.path("upload_url");
        given().auth().oauth2(token).get("/api/v1/uploads").then().body("items.upload_id", not(hasItem(id)));
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                404,
                "not_found");

        Map<String, String> gif = new HashMap<>(presigned.<Map<String, String>>path("headers"));
        gif.put("Content-Type", "image/gif");
        assertEquals(403, putTo(url, gif, png).statusCode(), "the signed Content-Type is enforced");
        assertEquals(200, putSigned(presigned, png).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("upload_id", equalTo(id))
                .body("filename", equalTo("logo.png"))
                .body("size_bytes", equalTo(png.length))
                .body("sha256", equalTo(Samples.sha256(png)))
                .body("upload_url_expires_at", not(nullValue()));
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)));
        given().auth().oauth2(token).get("/api/v1/uploads").then().body("items.upload_id", hasItem(id));
        problem(
                given().auth()
                        .oauth2(TestTokens.user("someone-else"))
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                404,
                "not_found");
    }

    @Test
    void directUploadOfTheWrongContentIsRemovedAtCompletion() throws Exception {
        String user = freshUser("spoof");
        String token = TestTokens.user(user);
        byte[] text = "this is not a png at all, just text".getBytes();
        var presigned = presign(token, "logo.png", "image/png", text.length);
        assertEquals(201, presigned.statusCode());
        String id = presigned.path("upload_id");
        assertEquals(200, putSigned(presigned, text).statusCode());
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                415,
                "unsupported_media_type");
        assertFalse(anythingLeftUnder("uploads/" + user + "/" + id + "/original"), "the spoofed object is deleted");
        assertFalse(anythingLeftUnder("uploads/" + user + "/"), "nothing remains, pending.json included");
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                404,
                "not_found");
        problem(given().auth().oauth2(token).delete("/api/v1/uploads/" + id).then(), 404, "not_found");
    }

    /** The status of a presigned PUT to a key that already holds an object: 409 here, S3's own 412 there. */
    int statusOfAReusedPut() {
        return 409;
    }

    /**
     * The same once the upload is over (completed, then deleted, or refused at completion): here no upload waits
     * for the URL any more (404); on S3 the object, or the tombstone that replaced it, is there (412).
     */
    int statusOfAPutAfterCompletion() {
        return 404;
    }

    @Test
    void aPresignedPutCannotReplaceACompletedUpload() throws Exception {
        String user = freshUser("reuse");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(20_000);
        byte[] other = Samples.png(20_000);
        other[20_000 - 1] ^= 0x55; // same type, same size, other bytes
        var presigned = presign(token, "logo.png", "image/png", png.length);
        String id = presigned.path("upload_id");
        assertEquals(200, putSigned(presigned, png).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)));

        assertEquals(
                statusOfAPutAfterCompletion(), putSigned(presigned, other).statusCode(), "the URL stored once already");
        assertArrayEquals(png, stored("uploads/" + user + "/" + id + "/original.png"), "the checked bytes stay");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id)
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)));
    }

    @Test
    void anOverwriteAfterCompletionIsRefusedOnRead() throws Exception {
        String user = freshUser("swap");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(20_000);
        var presigned = presign(token, "logo.png", "image/png", png.length);
        String id = presigned.path("upload_id");
        assertEquals(200, putSigned(presigned, png).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200);
        // what a PUT would do on a server that ignores If-None-Match: replace the checked bytes
        byte[] other = Samples.png(20_000);
        other[20_000 - 1] ^= 0x55;
        store.put(
                        ObjectKey.parse("uploads/" + user + "/" + id + "/original.png"),
                        Multi.createFrom().item(ByteBuffer.wrap(other)),
                        OptionalLong.of(other.length),
                        "image/png")
                .await()
                .atMost(Duration.ofSeconds(10));
        problem(
                        given().auth()
                                .oauth2(token)
                                .get("/api/v1/uploads/" + id + "/url")
                                .then(),
                        409,
                        "conflict")
                .body("detail", containsString("changed"));
    }

    @Test
    void aPresignedPutBeforeCompletionCannotBeRepeated() throws Exception {
        String user = freshUser("twice");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(20_000);
        byte[] other = Samples.png(20_000);
        other[20_000 - 1] ^= 0x55;
        var presigned = presign(token, "logo.png", "image/png", png.length);
        String id = presigned.path("upload_id");
        assertEquals(200, putSigned(presigned, png).statusCode());
        assertEquals(statusOfAReusedPut(), putSigned(presigned, other).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)));
    }

    @Test
    void aPresignedPutAfterDeleteLeavesNothingReachable() throws Exception {
        String user = freshUser("revive");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(20_000);
        var presigned = presign(token, "logo.png", "image/png", png.length);
        String id = presigned.path("upload_id");
        assertEquals(200, putSigned(presigned, png).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200);
        given().auth().oauth2(token).delete("/api/v1/uploads/" + id).then().statusCode(204);

        assertEquals(
                statusOfAPutAfterCompletion(), putSigned(presigned, png).statusCode(), "no upload waits for the URL");
        assertFalse(anythingLeftUnder("uploads/" + user + "/"), "nothing came back");
        problem(given().auth().oauth2(token).get("/api/v1/uploads/" + id).then(), 404, "not_found");
        sweepLater();
        assertFalse(anyObjectUnder("uploads/" + user + "/"), "whatever came back is swept");
    }

    @Test
    void aPresignedPutAfterARefusedCompletionLeavesNothingReachable() throws Exception {
        String user = freshUser("retry");
        String token = TestTokens.user(user);
        byte[] text = "this is not a png at all, just text".getBytes();
        var presigned = presign(token, "logo.png", "image/png", text.length);
        String id = presigned.path("upload_id");
        assertEquals(200, putSigned(presigned, text).statusCode());
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + id + "/complete")
                        .then(),
                415,
                "unsupported_media_type");
        assertEquals(statusOfAPutAfterCompletion(), putSigned(presigned, text).statusCode(), "the upload is over");
        assertFalse(anythingLeftUnder("uploads/" + user + "/"));
        sweepLater();
        assertFalse(anyObjectUnder("uploads/" + user + "/"), "whatever came back is swept");
    }

    @Test
    void directUploadsNeverCompletedAreSweptWithWhatWasPut() throws Exception {
        String user = freshUser("abandon");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(20_000);
        String neverPut = presign(token, "a.png", "image/png", png.length).path("upload_id");
        var putOnly = presign(token, "b.png", "image/png", png.length);
        assertEquals(200, putSigned(putOnly, png).statusCode());
        var done = presign(token, "c.png", "image/png", png.length);
        assertEquals(200, putSigned(done, png).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + done.path("upload_id") + "/complete")
                .then()
                .statusCode(200);

        assertFalse(sweeper.sweep().skipped());
        assertTrue(anyObjectUnder("uploads/" + user + "/" + neverPut + "/"), "a fresh presign waits for its PUT");
        assertTrue(
                anyObjectUnder("uploads/" + user + "/" + putOnly.path("upload_id") + "/original"),
                "and for its completion, within the grace");

        sweepLater();
        assertFalse(anyObjectUnder("uploads/" + user + "/" + neverPut + "/"), "pending.json of an abandoned upload");
        assertFalse(anyObjectUnder("uploads/" + user + "/" + putOnly.path("upload_id") + "/"), "and what was PUT");
        problem(
                given().auth()
                        .oauth2(token)
                        .post("/api/v1/uploads/" + putOnly.path("upload_id") + "/complete")
                        .then(),
                404,
                "not_found");
        assertArrayEquals(
                png,
                stored("uploads/" + user + "/" + done.path("upload_id") + "/original.png"),
                "a completed upload is never swept");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + done.path("upload_id"))
                .then()
                .statusCode(200);
    }

    @Test
    void anObjectLeftWithoutMetadataByACrashIsSweptAfterTheGrace() {
        String user = freshUser("crash");
        byte[] png = Samples.png(5_000);
        // what a crash between the original and its metadata.json leaves: the object alone
        ObjectKey orphan = ObjectKey.parse(
                "uploads/" + user + "/" + UploadId.generate(Clock.systemUTC()).value() + "/original.png");
        store.put(orphan, Multi.createFrom().item(ByteBuffer.wrap(png)), OptionalLong.of(png.length), "image/png")
                .await()
                .atMost(Duration.ofSeconds(10));
        String kept = uploadRaw(TestTokens.user(user), "kept.png", "image/png", png)
                .statusCode(201)
                .extract()
                .path("upload_id");
        // a completed upload whose complete() crashed after metadata.json, before removing pending.json
        ObjectKey stalePending = ObjectKey.parse("uploads/" + user + "/" + kept + "/pending.json");
        store.put(
                        stalePending,
                        Multi.createFrom().item(ByteBuffer.wrap("{}".getBytes())),
                        OptionalLong.of(2),
                        "application/json")
                .await()
                .atMost(Duration.ofSeconds(10));

        sweeper.sweep();
        assertTrue(anyObjectUnder(orphan.value()), "within the grace it may be an upload in flight");
        assertFalse(anyObjectUnder(stalePending.value()), "a pending.json beside metadata.json is stale at once");

        var summary = sweepLater();
        assertTrue(summary.deleted().get(UploadSweeper.Reason.ORPHAN) >= 1, summary.toString());
        assertFalse(anyObjectUnder(orphan.value()), "past the grace the orphan is deleted");
        assertArrayEquals(png, stored("uploads/" + user + "/" + kept + "/original.png"));
        given().auth()
                .oauth2(TestTokens.user(user))
                .get("/api/v1/uploads/" + kept)
                .then()
                .statusCode(200);
    }

    @Test
    void presignChecksTypeAndSizeFirst() {
        String token = TestTokens.user(freshUser("presign"));
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("application/json")
                        .body(Map.of(
                                "filename", "tool.exe", "content_type", "application/octet-stream", "size_bytes", 10))
                        .post("/api/v1/uploads/presign")
                        .then(),
                415,
                "unsupported_media_type");
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("application/json")
                        .body(Map.of("filename", "a.png", "content_type", "image/jpeg", "size_bytes", 10))
                        .post("/api/v1/uploads/presign")
                        .then(),
                415,
                "unsupported_media_type");
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("application/json")
                        .body(Map.of("filename", "a.png", "content_type", "image/png", "size_bytes", 3 * 1024 * 1024))
                        .post("/api/v1/uploads/presign")
                        .then(),
                413,
                "payload_too_large");
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("application/json")
                        .body(Map.of("filename", "a.png"))
                        .post("/api/v1/uploads/presign")
                        .then(),
                400,
                "invalid_request");
        problem(
                given().auth()
                        .oauth2(token)
                        .contentType("application/json")
                        .body("{not json")
                        .post("/api/v1/uploads/presign")
                        .then(),
                400,
                "invalid_request");
    }

    @Test
    void unknownRoutesAnswerProblems() {
        problem(
                given().auth()
                        .oauth2(TestTokens.user("alice"))
                        .get("/api/v1/nothing-here")
                        .then(),
                404,
                "not_found");
    }
}
