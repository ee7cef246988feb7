package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Tus.clipMetadata;
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
import io.reelvault.model.UserId;
import io.reelvault.service.tus.TusService;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.Generations;
import io.reelvault.support.JsonBody;
import io.reelvault.support.Poll;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.RawConnection;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Tus;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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

    @Inject
    UploadSlots slots;

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
                        "creation,creation-with-upload,creation-defer-length,expiration,checksum,termination,concatenation")
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
        String token = Generations.PIPELINE; // a clip: the pipeline's limit (256M here), not a user's (2M)
        String generation = Generations.create("tus chunk past its length " + System.nanoTime());
        byte[] clip = Samples.mp4(25 << 20);
        String url = created(token, (long) clip.length, clipMetadata(generation, 1));
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
            // the headers too: a 204 here (seen once in CI, not reproduced) would say in Upload-Offset what was taken
            assertEquals(
                    413,
                    answer.statusCode(),
                    answer.body() + " " + answer.headers().map());
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

    /**
     * Hostile header values and ids (those an HTTP client can send) on every tus request: refused as problems with
     * catalog codes, never a 5xx; and afterwards nothing is left held (issue 16: later streaming requests seemed to
     * stall after this test; that was the JDK client, see {@link #aPatchRefusedWhileItsBodyStreamsIsAnsweredAtOnce}).
     * Every call has bounded waits (HTTP/1.1, socket timeout), so the test fails rather than hangs.
     */
    @Test
    void hostileHeadersAndIdsAreRefusedAsProblems() throws IOException {
        String token = TestTokens.user("tus-hostile");
        List<String> values = new ArrayList<>();
        values.addAll(io.reelvault.fuzz.Hostile.NUMBERS);
        values.addAll(io.reelvault.fuzz.Hostile.FRAGMENTS);
        values.removeIf(v -> !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f));
        String url = created(token, 1_000L, pngMeta());
        Set<String> codes = Arrays.stream(io.reelvault.error.ErrorCode.values())
                .map(io.reelvault.error.ErrorCode::code)
                .collect(Collectors.toSet());
        for (String v : values) {
            List<Response> headers = List.of(
                    bounded(token)
                            .header("Upload-Length", v)
                            .header("Upload-Metadata", pngMeta())
                            .post("/api/v1/tus/"),
                    bounded(token)
                            .header("Upload-Length", 10)
                            .header("Upload-Metadata", v)
                            .post("/api/v1/tus/"),
                    bounded(token)
                            .header("Upload-Length", 10)
                            .header("Upload-Metadata", "filename " + v + ",filetype " + v)
                            .post("/api/v1/tus/"),
                    bounded(token)
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", v)
                            .body(new byte[1])
                            .patch(url),
                    bounded(token)
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", 0)
                            .header("Upload-Checksum", "sha256 " + v)
                            .body(new byte[1])
                            .patch(url),
                    bounded(token)
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", 0)
                            .header("Upload-Length", v)
                            .body(new byte[0])
                            .patch(url),
                    given().config(BOUNDED)
                            .auth()
                            .oauth2(token)
                            .header("Tus-Resumable", v)
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", 0)
                            .body(new byte[0])
                            .patch(url),
                    bounded(token).header("X-HTTP-Method-Override", v).post(url));
            // hostile ids: some are another path once normalised ("/api/v1/tus/." is the collection, 405), outside
            // the document's operations, so these answers are checked here only
            List<Response> ids = List.of(
                    bounded(token)
                            .noFilters()
                            .urlEncodingEnabled(true)
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", 0)
                            .body(new byte[0])
                            .patch("/api/v1/tus/{id}", v),
                    bounded(token).noFilters().urlEncodingEnabled(true).delete("/api/v1/tus/{id}", v),
                    bounded(token).noFilters().urlEncodingEnabled(true).head("/api/v1/tus/{id}", v));
            for (Response r : headers) {
                assertTrue(r.statusCode() < 500, v + ": " + r.statusCode() + " " + r.asString());
                assertEquals("1.0.0", r.header("Tus-Resumable"), v);
                if (r.statusCode() >= 400) {
                    assertEquals("application/problem+json", r.contentType().split(";")[0], v);
                    assertTrue(codes.contains(JsonBody.text(r.asString(), "code")), v + ": " + r.asString());
                }
            }
            for (Response r : ids) {
                assertTrue(r.statusCode() < 500, v + ": " + r.statusCode() + " " + r.asString());
                if (r.statusCode() >= 400
                        && r.statusCode() != 404
                        && r.statusCode() != 405
                        && !r.asString().isEmpty()) {
                    assertEquals("application/problem+json", r.contentType().split(";")[0], v);
                    assertTrue(codes.contains(JsonBody.text(r.asString(), "code")), v + ": " + r.asString());
                }
            }
        }
        head(token, url).statusCode(200);
        serviceIsWhole(token);
    }

    /** Edge values of the tus headers: 400 problems with stable codes, the tus header, and nothing left held. */
    @Test
    void edgeHeaderValuesAreProblemsWithStableCodes() throws IOException {
        String token = TestTokens.user("tus-edges");
        String url = created(token, 1_000L, pngMeta());
        List<String> numbers = List.of(
                "abc",
                "-1",
                "+1",
                "1.5",
                "0x10",
                "1e3",
                "9223372036854775807",
                "9223372036854775808",
                "1".repeat(4_000));
        for (String v : numbers) {
            edge(
                    bounded(token)
                            .header("Upload-Length", v)
                            .header("Upload-Metadata", pngMeta())
                            .post("/api/v1/tus/"),
                    400,
                    "invalid_request",
                    v);
            edge(
                    bounded(token)
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", v)
                            .body(new byte[1])
                            .patch(url),
                    400,
                    "invalid_request",
                    v);
        }
        String thousandsOfPairs = java.util.stream.IntStream.range(0, 3_000)
                .mapToObj(i -> "k" + i)
                .collect(Collectors.joining(","));
        String longValue = "filename " + Base64.getEncoder().encodeToString(new byte[4_000]);
        String duplicate = pngMeta() + "," + metadata("filename", "other.png");
        String notBase64 = "filename l*g*.png,filetype image/png";
        String notUtf8 = "filename " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xc0, (byte) 0xae});
        for (String meta : List.of(thousandsOfPairs, longValue, duplicate, notBase64, notUtf8, "filename", ",", " x")) {
            edge(
                    bounded(token)
                            .header("Upload-Length", 10)
                            .header("Upload-Metadata", meta)
                            .post("/api/v1/tus/"),
                    400,
                    "invalid_request",
                    meta.length() > 60 ? meta.substring(0, 60) : meta);
        }
        // a header past the server's header limit is refused by the HTTP layer (431) before any of this code runs
        try (RawConnection c = RawConnection.connect(Duration.ofSeconds(30))) {
            try {
                c.send(RawConnection.head(
                        "POST",
                        "/api/v1/tus/",
                        RawConnection.headers(
                                "Authorization",
                                "Bearer " + token,
                                "Tus-Resumable",
                                "1.0.0",
                                "Upload-Length",
                                "10",
                                "Upload-Metadata",
                                "a".repeat(40_000))));
            } catch (IOException closedWhileSending) {
                // the server closed it already
            }
            RawAnswer tooBig = c.response();
            assertTrue(tooBig == null || tooBig.status() == 431 || tooBig.status() == 400, String.valueOf(tooBig));
        }
        for (String method : List.of("GET", "PUT", "OPTIONS", "TRACE", "PATCH, DELETE", "", "x".repeat(300))) {
            edge(
                    bounded(token)
                            .noFilters()
                            .header("X-HTTP-Method-Override", method)
                            .post(url),
                    400,
                    "invalid_request",
                    method);
            edge(
                    bounded(token)
                            .noFilters()
                            .header("X-HTTP-Method-Override", method)
                            .header("Upload-Length", 10)
                            .header("Upload-Metadata", pngMeta())
                            .post("/api/v1/tus/"),
                    400,
                    "invalid_request",
                    method);
        }
        // ids: traversal, unicode, very long (past the request line's limit the HTTP layer answers 414)
        for (String id : List.of(
                "../../../etc/passwd",
                "..%2f..%2fetc",
                "tus_20261205_\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
                "tus_20261205_" + "a".repeat(3_000))) {
            for (Response r : List.of(
                    bounded(token)
                            .noFilters()
                            .contentType(Tus.OCTETS)
                            .header("Upload-Offset", 0)
                            .body(new byte[1])
                            .patch("/api/v1/tus/{id}", id),
                    bounded(token).noFilters().head("/api/v1/tus/{id}", id),
                    bounded(token).noFilters().delete("/api/v1/tus/{id}", id))) {
                assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, id + ": " + r.statusLine());
                if (r.statusCode() == 400 && !r.asString().isEmpty()) {
                    assertEquals("invalid_id", JsonBody.text(r.asString(), "code"), r.asString());
                }
            }
        }
        // past the request line's limit the HTTP layer answers 414 (or closes) before any of this code runs
        try (RawConnection c = RawConnection.connect(Duration.ofSeconds(30))) {
            try {
                c.send(RawConnection.head(
                        "PATCH", "/api/v1/tus/tus_20261205_" + "a".repeat(20_000), chunkedPatch(token, 0)));
            } catch (IOException closedWhileSending) {
                // the server closed it already
            }
            RawAnswer tooLong = c.response();
            assertTrue(tooLong == null || tooLong.status() == 414, String.valueOf(tooLong));
        }
        head(token, url).statusCode(200).header("Upload-Offset", "0");
        serviceIsWhole(token);
    }

    private static void edge(Response r, int status, String code, String what) {
        assertEquals(status, r.statusCode(), what + ": " + r.asString());
        assertEquals("application/problem+json", r.contentType().split(";")[0], what);
        assertEquals(code, JsonBody.text(r.asString(), "code"), what + ": " + r.asString());
        assertEquals("1.0.0", r.header("Tus-Resumable"), what);
    }

    /**
     * The cause of issue 16's stall. A PATCH refused while its body still streams (here 423: the upload's lease is held
     * elsewhere) is answered at once, from its headers; the server then reads and drops the rest of the body, and the
     * connection, the upload slot and the lease are free for what comes next. The JDK's HttpClient, though, reports an
     * answer only once it has sent its whole request body (HTTP/1.1 or its default HTTP/2 with the h2c offer, which this
     * server ignores): the old lock test, whose streaming PATCH could meet its own probe's lease and be refused so, and
     * whose body never ended until the test saw the lease held, waited until its poll gave up. A client artefact: the
     * server had answered.
     */
    @Test
    void aPatchRefusedWhileItsBodyStreamsIsAnsweredAtOnce() throws IOException {
        String token = TestTokens.user("tus-refused-early");
        byte[] png = Samples.png(200_000);
        String url = created(token, (long) png.length, pngMeta());
        TusUploadId id = id(url);
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        byte[] body = RawConnection.chunks(png, 16 * 1024);
        try (RawConnection c = RawConnection.connect(Duration.ofSeconds(30))) {
            try (ResumableWrites.Lease running =
                    writes.lock(id).await().atMost(Duration.ofSeconds(10)).orElseThrow()) {
                c.send(RawConnection.head("PATCH", path(url), chunkedPatch(token, 0)));
                c.send(body, 0, body.length / 4);
                RawAnswer refused = c.response(); // the body is still open
                assertEquals(423, refused.status(), refused.toString());
                assertEquals("upload_locked", refused.code());
                assertEquals("1.0.0", refused.header("Tus-Resumable"));
            }
            // the client goes on sending, as most do: the rest is read and dropped, and the connection serves on
            c.send(body, body.length / 4, body.length);
            c.send(RawConnection.LAST_CHUNK);
            Map<String, String> headers = chunkedPatch(token, 0);
            headers.remove("Transfer-Encoding");
            headers.put("Content-Length", "1000");
            c.send(RawConnection.head("PATCH", path(url), headers));
            c.send(slice(png, 0, 1_000));
            RawAnswer next = c.response();
            assertEquals(204, next.status(), next.toString());
            assertEquals("1000", next.header("Upload-Offset"));
        }
        Poll.until(Duration.ofSeconds(20), "the upload slots given back", () -> slots.held(user(token)) == 0);
        patch(token, url, 1_000, slice(png, 1_000, png.length)).statusCode(204);
    }

    /**
     * A client that vanishes mid-body (a reset, or a FIN): the lease and the upload slot are given back, and the offset
     * HEAD then answers is a durable prefix of what was sent: resuming from it gives the very bytes.
     */
    @Test
    void aClientGoneMidBodyLeavesAPrefixAndTheUploadFree() throws IOException {
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        // with Upload-Checksum, an interrupted chunk cannot be verified: it is cut back to where it started
        for (String variant : List.of("RST", "CLOSE", "CLOSE-checksum")) {
            RawConnection.Abort how = RawConnection.Abort.valueOf(variant.split("-")[0]);
            boolean checksum = variant.endsWith("checksum");
            String token = TestTokens.user("tus-vanish-" + variant.toLowerCase(java.util.Locale.ROOT));
            byte[] png = Samples.png(300_000);
            byte[] body = RawConnection.chunks(png, 16 * 1024);
            Map<String, String> headers = chunkedPatch(token, 0);
            if (checksum) {
                headers.put("Upload-Checksum", Tus.sha256(png));
            }
            for (int attempt = 1; ; attempt++) {
                String url = created(token, (long) png.length, pngMeta());
                TusUploadId id = id(url);
                RawConnection c = RawConnection.connect(Duration.ofSeconds(30));
                try {
                    c.send(RawConnection.head("PATCH", path(url), headers));
                    c.send(body, 0, body.length / 2);
                    // the PATCH holds the upload's lease (or met the probe's, and was refused at once: again)
                    Poll.until(
                            Duration.ofSeconds(20),
                            "the PATCH holds the upload, or was answered",
                            () -> answered(c) || !free(writes, id));
                    if (answered(c)) {
                        RawAnswer refused = c.response();
                        assertEquals(423, refused.status(), refused.toString());
                        assertTrue(attempt < 5, "the PATCH always met the probe");
                        continue;
                    }
                    c.abort(how);
                } finally {
                    c.close();
                }
                Poll.until(Duration.ofSeconds(30), "the lease given back", () -> free(writes, id));
                Poll.until(Duration.ofSeconds(20), "the upload slot given back", () -> slots.held(user(token)) == 0);
                long offset = Long.parseLong(
                        head(token, url).statusCode(200).extract().header("Upload-Offset"));
                assertTrue(offset <= png.length / 2 + 16 * 1024, variant + ": " + offset);
                if (checksum) {
                    assertEquals(0, offset, variant);
                }
                String resource = patch(token, url, offset, slice(png, (int) offset, png.length))
                        .statusCode(204)
                        .extract()
                        .header("Reelvault-Resource");
                given().auth()
                        .oauth2(token)
                        .get(resource)
                        .then()
                        .statusCode(200)
                        .body("sha256", equalTo(Samples.sha256(png)));
                break;
            }
        }
    }

    /**
     * The digest computed as the bytes arrive survives a PATCH whose client vanished mid-body (what arrived kept): once
     * the rest is sent, the finished bytes come with their SHA-256 known, so their publication reads none of them again.
     * Seen on a partial upload, which is never published: its finished bytes are asked for as a publication would ask.
     */
    @Test
    void theRunningDigestSurvivesAnInterruptedPatch() throws IOException {
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        String token = TestTokens.user("tus-digest-kept");
        byte[] png = Samples.png(300_000);
        int first = 100_000; // a PATCH that succeeds: the digest exists before the interrupted one
        for (int attempt = 1; ; attempt++) {
            String url = TusConcatenationApiTest.partial(token, png.length);
            TusUploadId id = id(url);
            patch(token, url, 0, slice(png, 0, first)).statusCode(204);
            byte[] rest = RawConnection.chunks(slice(png, first, png.length), 16 * 1024);
            RawConnection c = RawConnection.connect(Duration.ofSeconds(30));
            try {
                c.send(RawConnection.head("PATCH", path(url), chunkedPatch(token, first)));
                c.send(rest, 0, rest.length / 2); // the server may read any part of it before the reset, even none
                Poll.until(
                        Duration.ofSeconds(20),
                        "the PATCH holds the upload, or was answered",
                        () -> answered(c) || !free(writes, id));
                if (answered(c)) { // it met the probe's lease: again
                    assertEquals(423, c.response().status());
                    assertTrue(attempt < 5, "the PATCH always met the probe");
                    continue;
                }
                c.abort(RawConnection.Abort.RST);
            } finally {
                c.close();
            }
            Poll.until(Duration.ofSeconds(30), "the lease given back", () -> free(writes, id));
            long offset =
                    Long.parseLong(head(token, url).statusCode(200).extract().header("Upload-Offset"));
            assertTrue(offset >= first, "the first PATCH's bytes are kept: " + offset);
            patch(token, url, offset, slice(png, (int) offset, png.length))
                    .statusCode(204)
                    .header("Upload-Offset", Integer.toString(png.length));
            Multi<ByteBuffer> finished = writes.whole(id, png.length);
            assertTrue(finished instanceof AdoptableBody, "the finished bytes can be adopted");
            assertEquals(
                    Samples.sha256(png),
                    ((AdoptableBody) finished).digest().orElseThrow().sha256(),
                    "known without a read, and the bytes' own");
            return;
        }
    }

    /** creation-with-upload with a chunked body (no Content-Length): the first chunk is stored with the creation. */
    @Test
    void creationWithAChunkedBody() throws IOException {
        String token = TestTokens.user("tus-create-chunked");
        byte[] png = Samples.png(50_000);
        RawAnswer made;
        try (RawConnection c = RawConnection.connect(Duration.ofSeconds(30))) {
            c.send(RawConnection.head(
                    "POST",
                    "/api/v1/tus/",
                    RawConnection.headers(
                            "Authorization",
                            "Bearer " + token,
                            "Tus-Resumable",
                            "1.0.0",
                            "Upload-Length",
                            Integer.toString(png.length),
                            "Upload-Metadata",
                            pngMeta(),
                            "Content-Type",
                            Tus.OCTETS,
                            "Transfer-Encoding",
                            "chunked")));
            c.send(RawConnection.chunks(slice(png, 0, 20_000), 4 * 1024));
            c.send(RawConnection.LAST_CHUNK);
            made = c.response();
        }
        assertEquals(201, made.status(), made.toString());
        assertEquals("20000", made.header("Upload-Offset"));
        assertEquals("1.0.0", made.header("Tus-Resumable"));
        patch(token, made.header("Location"), 20_000, slice(png, 20_000, png.length))
                .statusCode(204)
                .header("Reelvault-Resource", containsString("/api/v1/uploads/upload_"));
    }

    /** Whether an answer has arrived on the connection (without waiting). */
    private static boolean answered(RawConnection c) {
        try {
            return c.answerWaiting();
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether no one holds the upload's lease now (taken and given back at once). */
    private static boolean free(ResumableWrites writes, TusUploadId id) {
        java.util.Optional<ResumableWrites.Lease> lease =
                writes.lock(id).await().atMost(Duration.ofSeconds(10));
        lease.ifPresent(ResumableWrites.Lease::close);
        return lease.isPresent();
    }

    /**
     * After hostile requests: the caller holds no upload slot any more, and the service still serves a tus upload end
     * to end for a new caller, its first chunk streamed chunked (no Content-Length) over a fresh connection.
     */
    private void serviceIsWhole(String hostileToken) throws IOException {
        Poll.until(Duration.ofSeconds(20), "the upload slots given back", () -> slots.held(user(hostileToken)) == 0);
        String token = TestTokens.user("tus-after-" + user(hostileToken).value());
        byte[] png = Samples.png(100_000);
        String url = created(token, (long) png.length, pngMeta());
        try (RawConnection c = RawConnection.connect(Duration.ofSeconds(30))) {
            c.send(RawConnection.head("PATCH", path(url), chunkedPatch(token, 0)));
            c.send(RawConnection.chunks(slice(png, 0, 60_000), 8 * 1024));
            c.send(RawConnection.LAST_CHUNK);
            RawAnswer first = c.response();
            assertEquals(204, first.status(), first.toString());
            assertEquals("60000", first.header("Upload-Offset"));
        }
        String resource = patch(token, url, 60_000, slice(png, 60_000, png.length))
                .statusCode(204)
                .extract()
                .header("Reelvault-Resource");
        given().auth().oauth2(token).get(resource).then().statusCode(200).body("sha256", equalTo(Samples.sha256(png)));
    }

    /** Waits bounded: HTTP/1.1 (Apache), 10 s to connect, 30 s per read. */
    private static final RestAssuredConfig BOUNDED = RestAssuredConfig.config()
            .httpClient(HttpClientConfig.httpClientConfig()
                    .setParam("http.connection.timeout", 10_000)
                    .setParam("http.socket.timeout", 30_000));

    private static RequestSpecification bounded(String token) {
        return tus(token).config(BOUNDED);
    }

    /** The headers of a streaming PATCH (chunked, no Content-Length). */
    private static Map<String, String> chunkedPatch(String token, long offset) {
        return RawConnection.headers(
                "Authorization",
                "Bearer " + token,
                "Tus-Resumable",
                "1.0.0",
                "Upload-Offset",
                Long.toString(offset),
                "Content-Type",
                Tus.OCTETS,
                "Transfer-Encoding",
                "chunked");
    }

    private static String path(String url) {
        return URI.create(url).getRawPath();
    }

    private static TusUploadId id(String url) {
        return TusUploadId.parse(url.substring(url.lastIndexOf('/') + 1));
    }

    private static UserId user(String token) {
        String payload = new String(
                Base64.getUrlDecoder().decode(token.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
        return UserId.parse(JsonPath.from(payload).getString("sub"));
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
        String url = created(Generations.PIPELINE, (long) clip.length, clipMetadata(generation, 3));
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

    /**
     * Local backend: the finished upload's bytes file becomes the object as it is (hashed in one read, renamed into
     * place, no copy): the object is the very file (inode) the PATCHes appended to, and nothing is left in {@code .tus}.
     */
    @Test
    void theFinishedBytesFileBecomesTheObjectWithoutACopy() throws IOException {
        String token = TestTokens.user("tus-zero-copy");
        byte[] png = Samples.png(300_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 200_000)).statusCode(204);
        java.nio.file.Path bytes = io.reelvault.support.TestStorageRoot.path()
                .resolve(".tus")
                .resolve(url.substring(url.lastIndexOf('/') + 1) + ".bin");
        Object inode = java.nio.file.Files.getAttribute(bytes, "unix:ino");
        String resource = patch(token, url, 200_000, slice(png, 200_000, png.length))
                .statusCode(204)
                .extract()
                .header("Reelvault-Resource");
        JsonPath stored = given().auth()
                .oauth2(token)
                .get(resource)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(Samples.sha256(png), stored.getString("sha256"));
        java.nio.file.Path object = io.reelvault.support.TestStorageRoot.path().resolve(stored.getString("key"));
        assertEquals(inode, java.nio.file.Files.getAttribute(object, "unix:ino"), "the same file, not a copy");
        assertTrue(java.nio.file.Files.notExists(bytes), "the bytes file moved");
        readsBackWhole(token, resource, png); // checked against the digest recorded when it was adopted
    }

    /** The upload at {@code resource} reads back through a signed URL (a full read checked against its digest) whole. */
    static void readsBackWhole(String token, String resource, byte[] expected) {
        String signed = given().auth()
                .oauth2(token)
                .get(resource + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url");
        byte[] read = given().get(signed).then().statusCode(200).extract().asByteArray();
        assertEquals(Samples.sha256(expected), Samples.sha256(read), "read back whole");
    }

    /**
     * A publication that fails before the service method even returns (here: a state document whose file name no longer
     * passes, as after a change of the rules between creation and the last PATCH) is answered as a refusal like any
     * other, and gives the upload's lease back: before, the exception escaped the chain that releases it, and the
     * upload stayed locked (423) until the process ended.
     */
    @Test
    void aPublicationRefusedBeforeItStartsGivesTheLeaseBack() throws Exception {
        String token = TestTokens.user("tus-early-refusal");
        byte[] png = Samples.png(2_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 1_000)).statusCode(204);
        TusUploadId id = TusUploadId.parse(url.substring(url.lastIndexOf('/') + 1));
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        byte[] state = writes.find(id)
                .await()
                .atMost(Duration.ofSeconds(10))
                .orElseThrow()
                .state();
        String changed = new String(state, java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"filename\":\"logo.png\"", "\"filename\":\"logo/\"");
        writes.saveState(id, changed.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .await()
                .atMost(Duration.ofSeconds(10));
        problem(patch(token, url, 1_000, slice(png, 1_000, png.length)), 400, "invalid_filename");
        headAnswers(head(token, url), 404); // refused: the upload is over
        try (ResumableWrites.Lease free = writes.lock(id)
                .await()
                .atMost(Duration.ofSeconds(10))
                .orElseThrow(() -> new AssertionError("the lease of the refused publication is still held"))) {
            // taken: nothing holds it
        }
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

    /**
     * Local backend: the digest computed as the PATCHes arrive is never used for other bytes. Here every byte but the
     * last was hashed as it came; the last one reached the file without a publication (a process that died there),
     * and the client sends that byte again, different: the object is the new bytes, recorded with their own SHA-256,
     * and reads back whole through a signed URL (a read checked against the recorded digest).
     */
    @Test
    void aLastByteSentAgainDifferentlyIsStoredAndHashedAsSent() throws IOException {
        String token = TestTokens.user("tus-last-byte-again");
        byte[] png = Samples.png(5_000);
        String url = created(token, (long) png.length, pngMeta());
        patch(token, url, 0, slice(png, 0, 4_999)).statusCode(204);
        java.nio.file.Path bytes = io.reelvault.support.TestStorageRoot.path()
                .resolve(".tus")
                .resolve(url.substring(url.lastIndexOf('/') + 1) + ".bin");
        java.nio.file.Files.write(bytes, new byte[] {png[4_999]}, java.nio.file.StandardOpenOption.APPEND);
        byte[] sent = png.clone();
        sent[4_999] ^= 0x5a;
        String resource = patch(token, url, 4_999, slice(sent, 4_999, sent.length))
                .statusCode(204)
                .extract()
                .header("Reelvault-Resource");
        given().auth().oauth2(token).get(resource).then().statusCode(200).body("sha256", equalTo(Samples.sha256(sent)));
        readsBackWhole(token, resource, sent);
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
