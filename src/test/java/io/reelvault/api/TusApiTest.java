package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Tus.create;
import static io.reelvault.support.Tus.created;
import static io.reelvault.support.Tus.head;
import static io.reelvault.support.Tus.metadata;
import static io.reelvault.support.Tus.patch;
import static io.reelvault.support.Tus.slice;
import static io.reelvault.support.Tus.tus;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.TusUploadId;
import io.reelvault.service.tus.TusService;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.Generations;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Tus;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * tus 1.0 on {@code /api/v1/tus/}: every MUST of the core protocol and of the extensions the server announces, and a
 * finished upload that cannot be told from one of the plain endpoint. Local backend; {@code TusApiS3Test} runs the
 * same tests on S3.
 */
@QuarkusTest
class TusApiTest {
    @Inject
    AdjustableClock clock;

    @Inject
    TusService tusService;

    @Inject
    MeterRegistry registry;

    @Inject
    io.reelvault.storage.ObjectStore store;

    @Inject
    io.reelvault.config.ReelvaultConfig config;

    static String pngMeta() {
        return metadata("filename", "logo.png", "filetype", "image/png");
    }

    @Test
    void optionsAnnouncesVersionExtensionsLimitAndChecksums() {
        given().auth()
                .oauth2(TestTokens.user("tus-options"))
                .options("/api/v1/tus/")
                .then()
                .statusCode(204)
                .header("Tus-Resumable", "1.0.0")
                .header("Tus-Version", "1.0.0")
                .header(
                        "Tus-Extension",
                        "creation,creation-with-upload,creation-defer-length,expiration,checksum,termination")
                .header("Tus-Max-Size", Long.toString(config.uploads().maxSize().asLongValue()))
                .header("Tus-Checksum-Algorithm", "sha1,sha256,crc32c");
    }

    @Test
    void anUploadInChunksIsTheSameAsAPlainOne() throws Exception {
        String token = TestTokens.user("tus-alice");
        byte[] png = Samples.png(300_000);
        var made = create(token, (long) png.length, pngMeta())
                .statusCode(201)
                .header("Tus-Resumable", "1.0.0")
                .header("Location", matchesPattern("http://[^/]+/api/v1/tus/tus_\\d{8}_[a-z0-9]{16}"))
                .header(
                        "Upload-Expires",
                        matchesPattern("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"))
                .extract();
        String url = made.header("Location");
        head(token, url)
                .statusCode(200)
                .header("Upload-Offset", "0")
                .header("Upload-Length", Integer.toString(png.length))
                .header("Upload-Metadata", pngMeta())
                .header("Cache-Control", "no-store")
                .header("Tus-Resumable", "1.0.0");
        patch(token, url, 0, slice(png, 0, 100_000))
                .statusCode(204)
                .header("Upload-Offset", "100000")
                .header("Upload-Expires", not(nullValue()))
                .header("Tus-Resumable", "1.0.0");
        head(token, url).statusCode(200).header("Upload-Offset", "100000");
        byte[] second = slice(png, 100_000, 200_000);
        patch(token, url, 100_000, second, Tus.sha1(second)).statusCode(204).header("Upload-Offset", "200000");
        byte[] last = slice(png, 200_000, png.length);
        String resource = patch(token, url, 200_000, last, Tus.sha256(last))
                .statusCode(204)
                .header("Upload-Offset", Integer.toString(png.length))
                .header("Reelvault-Resource", containsString("/api/v1/uploads/upload_"))
                .extract()
                .header("Reelvault-Resource");
        // the finished upload answers HEAD with its full offset (a client resuming it sees it done)
        head(token, url).statusCode(200).header("Upload-Offset", Integer.toString(png.length));

        JsonPath viaTus = given().auth()
                .oauth2(token)
                .get(resource)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        JsonPath plain = given().auth()
                .oauth2(token)
                .contentType("image/png")
                .body(png)
                .post("/api/v1/uploads?filename=logo.png")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        Map<String, Object> a = viaTus.getMap("");
        Map<String, Object> b = plain.getMap("");
        assertEquals(b.keySet(), a.keySet(), "the same metadata.json fields");
        for (String same : new String[] {"user_id", "filename", "content_type", "size_bytes", "sha256"}) {
            assertEquals(b.get(same), a.get(same), same);
        }
        assertEquals(Samples.sha256(png), a.get("sha256"));
        assertTrue(a.get("key").toString().matches("uploads/tus-alice/upload_\\d{8}_[a-z0-9]{16}/original\\.png"));
        String signed = given().auth()
                .oauth2(token)
                .get(resource + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url");
        // as it is (rest-assured would encode a presigned URL's query again)
        byte[] stored = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(signed)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
        assertEquals(Samples.sha256(png), Samples.sha256(stored));
    }

    @Test
    void everyRequestButOptionsNeedsTusResumable() {
        String token = TestTokens.user("tus-version");
        problem(
                        given().auth()
                                .oauth2(token)
                                .header("Upload-Length", 10)
                                .post("/api/v1/tus/")
                                .then(),
                        412,
                        "tus_version_unsupported")
                .header("Tus-Version", "1.0.0")
                .header("Tus-Resumable", "1.0.0");
        String url = created(token, 10L, metadata("filename", "a.png", "filetype", "image/png"));
        problem(
                        given().auth()
                                .oauth2(token)
                                .header("Tus-Resumable", "0.2.2")
                                .contentType(Tus.OCTETS)
                                .header("Upload-Offset", 0)
                                .body(new byte[3])
                                .patch(url)
                                .then(),
                        412,
                        "tus_version_unsupported")
                .header("Tus-Version", "1.0.0");
        given().auth().oauth2(token).head(url).then().statusCode(412).header("Tus-Version", "1.0.0");
        head(token, url).statusCode(200).header("Upload-Offset", "0");
    }

    @Test
    void aPatchMustBeAnOffsetStreamAtTheCurrentOffset() {
        String token = TestTokens.user("tus-offsets");
        byte[] png = Samples.png(2_000);
        String url = created(token, (long) png.length, pngMeta());
        problem(
                tus(token)
                        .contentType("application/octet-stream")
                        .header("Upload-Offset", 0)
                        .body(png)
                        .patch(url)
                        .then(),
                415,
                "unsupported_media_type");
        patch(token, url, 0, slice(png, 0, 500)).statusCode(204);
        problem(patch(token, url, 0, slice(png, 0, 500)), 409, "offset_mismatch");
        problem(patch(token, url, 700, slice(png, 700, 900)), 409, "offset_mismatch");
        problem(tus(token).contentType(Tus.OCTETS).body(new byte[1]).patch(url).then(), 400, "invalid_request");
        head(token, url).statusCode(200).header("Upload-Offset", "500");
    }

    @Test
    void bytesBeyondUploadLengthAre413AndDiscarded() {
        String token = TestTokens.user("tus-oversize");
        byte[] png = Samples.png(1_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 400)).statusCode(204);
        problem(patch(token, url, 400, Samples.png(1_000)), 413, "payload_too_large");
        head(token, url).statusCode(200).header("Upload-Offset", "400");
        // and more than the limit is refused at creation, before any byte
        problem(create(token, config.uploads().maxSize().asLongValue() + 1, pngMeta()), 413, "payload_too_large");
    }

    /**
     * A chunk without Content-Length found to pass {@code Upload-Length} only as it streams, after more than two S3
     * parts' worth of it went by (on S3 those parts were sent and recorded, so that a replica dying mid-PATCH leaves
     * them): 413, and the whole chunk is discarded all the same; the upload then completes from offset 0.
     */
    @Test
    void aChunkPastTheLengthFoundWhileStreamingIsDiscardedWholeEvenAfterPartsWereSent() throws Exception {
        String token = Generations.PIPELINE; // a clip: the pipeline's limit (64M here), not a user's (2M)
        String generation = Generations.create("tus chunk past its length " + System.nanoTime());
        byte[] clip = Samples.mp4(25 << 20);
        String url = created(
                token,
                (long) clip.length,
                metadata(
                        "target",
                        "generation_clip",
                        "generation_id",
                        generation,
                        "clip",
                        "1",
                        "filetype",
                        "video/mp4"));
        byte[] tooLong = Samples.concat(clip, new byte[1 << 20]);
        try {
            HttpResponse<String> answer = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Tus-Resumable", "1.0.0")
                                    .header("Upload-Offset", "0")
                                    .header("Content-Type", Tus.OCTETS)
                                    .method(
                                            "PATCH",
                                            HttpRequest.BodyPublishers.ofInputStream(
                                                    () -> new java.io.ByteArrayInputStream(tooLong)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(413, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("\"code\":\"payload_too_large\""), answer.body());
        } catch (IOException cut) {
            // the service answered 413 and closed the connection while the client still sent
        }
        io.reelvault.support.Poll.untilPasses(
                Duration.ofSeconds(30), () -> head(token, url).statusCode(200).header("Upload-Offset", "0"));
        io.reelvault.support.Poll.untilPasses(
                Duration.ofSeconds(30),
                () -> { // 423 until the lease is given back
                    patch(token, url, 0, clip).statusCode(204).header("Upload-Offset", Integer.toString(clip.length));
                });
        given().auth()
                .oauth2(token)
                .get("/api/v1/generations/" + generation)
                .then()
                .statusCode(200)
                .body("clips.find { it.clip == 1 }.sha256", equalTo(Samples.sha256(clip)));
    }

    @Test
    void aChunkWhoseChecksumDiffersIs460AndDiscarded() {
        String token = TestTokens.user("tus-checksum");
        byte[] png = Samples.png(3_000);
        String url = created(token, (long) png.length, pngMeta());
        byte[] first = slice(png, 0, 1_000);
        problem(patch(token, url, 0, first, Tus.sha256(Samples.png(1_000 + 1))), 460, "checksum_mismatch");
        head(token, url).statusCode(200).header("Upload-Offset", "0");
        problem(
                patch(token, url, 0, first, "md5 " + Base64.getEncoder().encodeToString(new byte[16])),
                400,
                "checksum_unsupported");
        problem(patch(token, url, 0, first, "sha256 !!"), 400, "checksum_unsupported");
        CRC32C crc = new CRC32C();
        crc.update(first);
        String crc32c = "crc32c "
                + Base64.getEncoder()
                        .encodeToString(ByteBuffer.allocate(4)
                                .putInt((int) crc.getValue())
                                .array());
        patch(token, url, 0, first, crc32c).statusCode(204).header("Upload-Offset", "1000");
        head(token, url).statusCode(200).header("Upload-Offset", "1000");
    }

    @Test
    void othersUploadsAreNotFound() {
        String token = TestTokens.user("tus-owner");
        String other = TestTokens.user("tus-intruder");
        byte[] png = Samples.png(1_000);
        String url = created(token, (long) png.length, pngMeta());
        headAnswers(head(other, url), 404);
        problem(patch(other, url, 0, png), 404, "not_found");
        problem(tus(other).delete(url).then(), 404, "not_found");
        problem(
                        given().header("Tus-Resumable", "1.0.0")
                                .contentType(Tus.OCTETS)
                                .header("Upload-Offset", 0)
                                .body(new byte[1])
                                .patch(url)
                                .then(),
                        401,
                        "unauthenticated")
                .header("Tus-Resumable", "1.0.0");
        headAnswers(given().header("Tus-Resumable", "1.0.0").head(url).then(), 401);
        headAnswers(head(token, url.replaceAll("tus_\\d{8}_", "tus_20200101_")), 404);
        headAnswers(head(token, url.replaceAll("/tus_.*", "/nope")), 400);
        head(token, url).statusCode(200).header("Upload-Offset", "0");
    }

    @Test
    void xHttpMethodOverrideTurnsAPostIntoAPatchOrADelete() {
        String token = TestTokens.user("tus-override");
        byte[] png = Samples.png(1_000);
        String url = created(token, (long) png.length, pngMeta());
        tus(token)
                .header("X-HTTP-Method-Override", "PATCH")
                .contentType(Tus.OCTETS)
                .header("Upload-Offset", 0)
                .body(slice(png, 0, 300))
                .post(url)
                .then()
                .statusCode(204)
                .header("Upload-Offset", "300");
        tus(token).header("X-HTTP-Method-Override", "DELETE").post(url).then().statusCode(204);
        headAnswers(head(token, url), 404);
    }

    @Test
    void terminationRemovesTheUpload() {
        String token = TestTokens.user("tus-terminate");
        byte[] png = Samples.png(1_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 10)).statusCode(204);
        tus(token).delete(url).then().statusCode(204).header("Tus-Resumable", "1.0.0");
        headAnswers(head(token, url), 404);
        problem(patch(token, url, 10, slice(png, 10, 20)), 404, "not_found");
    }

    @Test
    void creationWithUploadAndDeferredLength() {
        String token = TestTokens.user("tus-defer");
        byte[] png = Samples.png(5_000);
        String url = tus(token)
                .header("Upload-Defer-Length", "1")
                .header("Upload-Metadata", pngMeta())
                .contentType(Tus.OCTETS)
                .body(slice(png, 0, 2_000))
                .post("/api/v1/tus/")
                .then()
                .statusCode(201)
                .header("Upload-Offset", "2000")
                .extract()
                .header("Location");
        head(token, url)
                .statusCode(200)
                .header("Upload-Offset", "2000")
                .header("Upload-Defer-Length", "1")
                .header("Upload-Length", nullValue());
        tus(token)
                .contentType(Tus.OCTETS)
                .header("Upload-Offset", 2000)
                .header("Upload-Length", png.length)
                .body(slice(png, 2_000, 3_000))
                .patch(url)
                .then()
                .statusCode(204)
                .header("Upload-Offset", "3000");
        head(token, url).statusCode(200).header("Upload-Length", "5000").header("Upload-Defer-Length", nullValue());
        patch(token, url, 3_000, slice(png, 3_000, 5_000))
                .statusCode(204)
                .header("Reelvault-Resource", containsString("/api/v1/uploads/"));
        // both headers, or neither: refused
        problem(
                tus(token)
                        .header("Upload-Metadata", pngMeta())
                        .post("/api/v1/tus/")
                        .then(),
                400,
                "invalid_request");
        // creation-with-upload of a whole file publishes at once
        byte[] small = Samples.png(800);
        tus(token)
                .header("Upload-Length", small.length)
                .header("Upload-Metadata", pngMeta())
                .contentType(Tus.OCTETS)
                .body(small)
                .post("/api/v1/tus/")
                .then()
                .statusCode(201)
                .header("Upload-Offset", "800")
                .header("Reelvault-Resource", containsString("/api/v1/uploads/"));
    }

    @Test
    void creationChecksWhatThePlainEndpointChecks() {
        String token = TestTokens.user("tus-creation");
        problem(
                create(token, 10L, metadata("filename", "a".repeat(300) + ".png", "filetype", "image/png")),
                400,
                "invalid_filename");
        problem(
                create(token, 10L, metadata("filename", "logo.exe", "filetype", "image/png")),
                415,
                "unsupported_media_type");
        problem(
                create(token, 10L, metadata("filename", "logo.png", "filetype", "audio/mpeg")),
                415,
                "unsupported_media_type");
        problem(create(token, 10L, metadata("filetype", "image/png")), 400, "invalid_request");
        problem(create(token, 10L, "filename !!notbase64"), 400, "invalid_request");
        problem(create(token, 10L, metadata("target", "nowhere", "filename", "a.png")), 400, "invalid_request");
        problem(
                create(token, 10L, metadata("target", "temp", "job_id", "job-1", "filename", "x.tmp")),
                403,
                "forbidden");
        problem(
                create(
                        Generations.PIPELINE,
                        10L,
                        metadata(
                                "target",
                                "generation_clip",
                                "generation_id",
                                "gen_20990101_aaaaaaaaaaaaaaaa",
                                "clip",
                                "1",
                                "filetype",
                                "video/mp4")),
                404,
                "not_found");
    }

    @Test
    void contentThatIsNotTheDeclaredTypeEndsTheUpload() {
        String token = TestTokens.user("tus-liar");
        byte[] mp3 = Samples.mp3(2_000);
        String url = created(token, (long) mp3.length, pngMeta());
        patch(token, url, 0, slice(mp3, 0, 1_000)).statusCode(204);
        problem(patch(token, url, 1_000, slice(mp3, 1_000, 2_000)), 415, "unsupported_media_type");
        headAnswers(head(token, url), 404);
    }

    @Test
    void aPipelineArtifactLandsWhereThePlainPutPutsIt() {
        String generation = Generations.create("tus clip " + System.nanoTime());
        byte[] clip = Samples.mp4(40_000);
        String url = created(
                Generations.PIPELINE,
                (long) clip.length,
                metadata(
                        "target",
                        "generation_clip",
                        "generation_id",
                        generation,
                        "clip",
                        "3",
                        "filetype",
                        "video/mp4"));
        patch(Generations.PIPELINE, url, 0, slice(clip, 0, 20_000)).statusCode(204);
        patch(Generations.PIPELINE, url, 20_000, slice(clip, 20_000, clip.length))
                .statusCode(204)
                .header("Reelvault-Resource", containsString("/api/v1/generations/" + generation));
        given().auth()
                .oauth2(Generations.PIPELINE)
                .get("/api/v1/generations/" + generation)
                .then()
                .statusCode(200)
                .body("clips.find { it.clip == 3 }.sha256", equalTo(Samples.sha256(clip)));
    }

    @Test
    void aSecondPatchWhileOneRunsIsLocked() {
        String token = TestTokens.user("tus-locked");
        byte[] png = Samples.png(2_000);
        String url = created(token, (long) png.length, pngMeta());
        TusUploadId id = TusUploadId.parse(url.substring(url.lastIndexOf('/') + 1));
        // the lease a running PATCH holds (here, or in another process on the same storage), taken as it takes it
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        try (ResumableWrites.Lease running =
                writes.lock(id).await().atMost(Duration.ofSeconds(10)).orElseThrow()) {
            problem(patch(token, url, 0, slice(png, 0, 10)), 423, "upload_locked");
            problem(tus(token).delete(url).then(), 423, "upload_locked");
            head(token, url).statusCode(200).header("Upload-Offset", "0"); // HEAD takes no lease
        }
        patch(token, url, 0, slice(png, 0, 1_000)).statusCode(204).header("Upload-Offset", "1000");
        // and a PATCH gives it back when it ends: the next one takes it
        patch(token, url, 1_000, slice(png, 1_000, png.length)).statusCode(204);
    }

    /** Local backend: the bytes of a crashed publication are there, in {@code {root}/.tus}. */
    @Test
    void bytesCompleteButNotPublishedAreAskedForAgainFromTheLastByte() throws IOException {
        // a process that died after the last byte was stored and before the publication: the bytes are all there
        String token = TestTokens.user("tus-crashed");
        byte[] png = Samples.png(4_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 3_000)).statusCode(204);
        java.nio.file.Path bytes = io.reelvault.support.TestStorageRoot.path()
                .resolve(".tus")
                .resolve(url.substring(url.lastIndexOf('/') + 1) + ".bin");
        java.nio.file.Files.write(bytes, slice(png, 3_000, png.length), java.nio.file.StandardOpenOption.APPEND);
        head(token, url).statusCode(200).header("Upload-Offset", Integer.toString(png.length - 1));
        String resource = patch(token, url, png.length - 1, slice(png, png.length - 1, png.length))
                .statusCode(204)
                .header("Upload-Offset", Integer.toString(png.length))
                .extract()
                .header("Reelvault-Resource");
        given().auth().oauth2(token).get(resource).then().statusCode(200).body("sha256", equalTo(Samples.sha256(png)));
    }

    @Test
    void anEmptyUploadIsPublishedAtCreation() {
        String job = "tus-empty-" + System.nanoTime();
        tus(Generations.PIPELINE)
                .header("Upload-Length", 0)
                .header("Upload-Metadata", metadata("target", "temp", "job_id", job, "filename", "empty.tmp"))
                .post("/api/v1/tus/")
                .then()
                .statusCode(201)
                .header("Upload-Offset", "0")
                .header("Reelvault-Resource", containsString("/api/v1/temp/" + job + "/empty.tmp"));
        given().auth()
                .oauth2(Generations.PIPELINE)
                .get("/api/v1/temp/" + job + "/empty.tmp/url")
                .then()
                .statusCode(200);
    }

    @Test
    void anExpiredUploadIs410ThenSweptAndCounted() {
        String token = TestTokens.user("tus-expired");
        byte[] png = Samples.png(1_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 100)).statusCode(204);
        double before = expiredCount();
        try {
            clock.setTo(Instant.now().plus(Duration.ofHours(25)));
            headAnswers(head(token, url), 410);
            problem(patch(token, url, 100, slice(png, 100, 200)), 410, "upload_expired");
            assertTrue(tusService.sweepExpired() >= 1);
        } finally {
            clock.reset();
        }
        assertTrue(expiredCount() >= before + 1);
        headAnswers(head(token, url), 404);
    }

    /** A HEAD's error: the status and the tus header (a HEAD answer has no body to hold the problem). */
    static void headAnswers(io.restassured.response.ValidatableResponse r, int status) {
        r.statusCode(status).header("Tus-Resumable", "1.0.0");
    }

    private double expiredCount() {
        var counter = registry.find("reelvault.tus.uploads.expired").counter();
        return counter == null ? 0 : counter.count();
    }
}
