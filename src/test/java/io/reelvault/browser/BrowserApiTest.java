package io.reelvault.browser;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.Compositions;
import io.reelvault.support.Generations;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Tools;
import io.reelvault.support.Uploads;
import io.reelvault.support.browser.BrowserProfile;
import io.reelvault.support.browser.Chromium;
import io.reelvault.support.browser.Exchange;
import io.reelvault.support.browser.PageOrigins;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a web page uses it, in a real headless Chromium: presigned direct uploads with progress and CORS
 * preflights from an allowed and a disallowed origin, a refusal's problem detail shown in the page, {@code <video>}
 * playing and seeking signed URLs (206), and the response headers a page reads. Local backend;
 * {@link BrowserApiS3Test} runs the same on S3 (s3proxy with the shipped bucket CORS rule).
 *
 * <p>The direct multipart upload with the real Uppy client is {@link BrowserMultipartTest} (and its S3 subclass),
 * on the same harness.
 */
@QuarkusTest
@TestProfile(BrowserProfile.class)
class BrowserApiTest {
    /** Under the test profile's 2 MB upload limit, and large enough for the browser to report progress. */
    static final int UPLOAD_SIZE = 1_500_000;

    @TempDir
    static Path dir;

    static Chromium browser;
    static Path clip;

    @TestHTTPResource("/")
    URL service;

    String api;

    @BeforeAll
    static void startBrowser() throws Exception {
        clip = dir.resolve("clip.mp4");
        // 4 s of H.264 + AAC, index first (faststart) as a player wants it
        Tools.output(
                Duration.ofSeconds(120),
                "Debian's 'ffmpeg' package",
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=4:size=320x180:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=4",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
                "-movflags",
                "+faststart",
                clip.toString());
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openTheLab() {
        api = service.toString().replaceAll("/$", "");
        browser.keepApiAnswers(api);
        browser.open(PageOrigins.allowed().url("lab.html"));
        browser.clearExchanges();
    }

    /** Every API answer the page received in this test (JSON bodies included) is one the document describes. */
    @AfterEach
    void thePageReceivedOnlyDocumentedAnswers() {
        OpenApiContract.assertAnswersValid(api, browser.takeApiAnswers());
    }

    /** The headers a presigned PUT of this backend requires (local: its type; the service's CORS allows it). */
    java.util.Set<String> requiredUploadHeaders() {
        return java.util.Set.of("Content-Type");
    }

    /** The test's name with the backend, for screenshots. */
    String shot(TestInfo test) {
        return getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName();
    }

    @Test
    void aDirectUploadFromTheAllowedOriginReportsProgressAndCompletes(TestInfo test) {
        String token = TestTokens.user(freshUser("browser"));
        Map<String, Object> r =
                browser.call("directUpload", api, token, "photo.png", "image/png", "png", UPLOAD_SIZE, 0);
        browser.screenshot(shot(test));
        assertEquals("complete", r.get("stage"), r.toString());
        Map<String, Object> put = map(r.get("put"));
        assertEquals(200L, put.get("status"), r.toString());
        assertNotNull(put.get("etag"), "the PUT answer's ETag is exposed to the page: " + r);
        List<Map<String, Object>> progress = list(put.get("progress"));
        assertFalse(progress.isEmpty(), "upload progress events: " + r);
        Map<String, Object> last = progress.get(progress.size() - 1);
        assertEquals(true, last.get("computable"));
        assertEquals((long) UPLOAD_SIZE, last.get("loaded"));
        assertEquals((long) UPLOAD_SIZE, last.get("total"));
        Map<String, Object> complete = map(r.get("complete"));
        assertEquals(200L, complete.get("status"), r.toString());
        assertEquals("uploaded photo.png", browser.text("status"));

        String id = (String) r.get("uploadId");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id)
                .then()
                .statusCode(200)
                .body("size_bytes", org.hamcrest.Matchers.equalTo(UPLOAD_SIZE))
                .body("content_type", org.hamcrest.Matchers.equalTo("image/png"));
        // the browser asked first (the PUT's headers are not CORS-safelisted), naming every header it was handed
        Exchange preflight = browser.awaitExchange(
                "the upload's preflight",
                e -> "OPTIONS".equals(e.method())
                        && e.url().contains(id)
                        && "PUT".equals(e.requestHeader("Access-Control-Request-Method"))
                        && e.status() != null);
        assertEquals(200, preflight.status(), preflight.toString());
        assertEquals(
                requiredUploadHeaders(),
                new java.util.TreeSet<>(map(r.get("headers")).keySet()),
                "the headers the URL requires, all sent by the page");
        String asked = preflight.requestHeader("Access-Control-Request-Headers");
        assertNotNull(asked, preflight.toString());
        for (String header : map(r.get("headers")).keySet()) {
            if (!header.equalsIgnoreCase("Content-Length")) {
                assertTrue(
                        asked.toLowerCase(java.util.Locale.ROOT).contains(header.toLowerCase(java.util.Locale.ROOT)),
                        header + " was in the preflight: " + preflight);
            }
        }
        Exchange sent = browser.awaitExchange(
                "the upload's PUT",
                e -> "PUT".equals(e.method()) && e.status() != null && e.url().contains(id));
        assertEquals(200, sent.status());
    }

    @Test
    void aPutDroppedOnTheWayIsSentAgainToTheSameUrlAndCompletes() {
        String token = TestTokens.user(freshUser("dropped"));
        Map<String, Object> r;
        int dropped;
        try (Chromium.Cut cut = browser.cutRequests("PUT", url -> url.contains("/original.png"), 1)) {
            r = browser.call("directUpload", api, token, "photo.png", "image/png", "png", 50_000, 2);
            dropped = cut.count();
        }
        assertEquals(1, dropped, "the first PUT was dropped");
        assertEquals("complete", r.get("stage"), r.toString());
        Map<String, Object> put = map(r.get("put"));
        assertEquals(2L, put.get("attempts"), r.toString());
        assertEquals(200L, put.get("status"), r.toString());
        assertEquals(200L, map(r.get("complete")).get("status"), r.toString());
        List<Exchange> puts =
                browser.exchanges(e -> "PUT".equals(e.method()) && e.url().contains("/original.png"));
        assertEquals(2, puts.size(), puts.toString());
        assertNotNull(puts.get(0).failure(), puts.toString());
        assertEquals(200, puts.get(1).status(), puts.toString());
    }

    @Test
    void fromAnotherOriginThePreflightsFailAndNothingIsStored(TestInfo test) throws Exception {
        String user = freshUser("stranger");
        String token = TestTokens.user(user);
        browser.open(PageOrigins.other().url("lab.html"));
        browser.clearExchanges();

        Map<String, Object> presign = browser.call("presignOnly", api, token, "photo.png", "image/png", UPLOAD_SIZE);
        assertNotNull(presign.get("error"), "the service refuses the other origin's preflight: " + presign);

        // a URL handed to a page of the other origin all the same: the storage's preflight refuses it too
        var presigned = Uploads.presign(token, "photo.png", "image/png", UPLOAD_SIZE);
        assertEquals(201, presigned.statusCode(), presigned.asString());
        Map<String, Object> put =
                browser.call("putOnly", presigned.path("upload_url"), presigned.path("headers"), "png", UPLOAD_SIZE);
        browser.screenshot(shot(test));
        assertNotNull(put.get("error"), "the storage refuses the other origin's preflight: " + put);
        Exchange failed = browser.awaitExchange(
                "a failed PUT to the upload URL",
                e -> e.failure() != null && presigned.path("upload_url").equals(e.url()));
        assertTrue(failed.failure().contains("CORS"), failed.toString());

        String id = presigned.path("upload_id");
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(404)
                .body("code", org.hamcrest.Matchers.equalTo("not_found"));
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void aFileWhoseBytesAreNotItsNameIsRefusedAtCompleteAndThePageShowsWhy(TestInfo test) {
        String token = TestTokens.user(freshUser("liar"));
        Map<String, Object> r = browser.call("directUpload", api, token, "notes.png", "image/png", "text", 4_000, 0);
        browser.screenshot(shot(test));
        assertEquals("complete", r.get("stage"), r.toString());
        Map<String, Object> complete = map(r.get("complete"));
        assertEquals(415L, complete.get("status"), r.toString());
        Map<String, Object> problem = map(complete.get("body"));
        assertEquals("unsupported_media_type", problem.get("code"), r.toString());
        String detail = (String) problem.get("detail");
        assertFalse(detail == null || detail.isBlank(), r.toString());
        assertEquals(detail, browser.text("problem"), "the page shows the problem's detail");
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + r.get("uploadId") + "/complete")
                .then()
                .statusCode(404);
    }

    @Test
    void aVideoElementPlaysAndSeeksAClipPreviewAndACompositionDownload(TestInfo test) throws Exception {
        byte[] video = Files.readAllBytes(clip);
        String generation = Generations.create("a test pattern for a browser");
        Generations.put("/api/v1/generations/" + generation + "/clips/1", "video/mp4", video)
                .statusCode(200);
        String preview = given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + generation + "/complete")
                .then()
                .statusCode(200)
                .extract()
                .path("clips[0].preview_url");
        String composition = Compositions.ofFirstClip(generation);
        Generations.put("/api/v1/compositions/" + composition + "/final", "video/mp4", video)
                .statusCode(200);
        String download = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + composition + "/download")
                .then()
                .statusCode(200)
                .extract()
                .path("url");

        for (var entry : Map.of("clip preview", preview, "composition download", download)
                .entrySet()) {
            Map<String, Object> played = browser.call("playAndSeek", entry.getValue(), entry.getKey());
            double duration = ((Number) played.get("duration")).doubleValue();
            assertEquals(4.0, duration, 0.2, entry.getKey() + ": " + played);
            assertEquals(duration / 2, ((Number) played.get("currentTime")).doubleValue(), 0.5, played.toString());
            assertTrue(((Number) played.get("readyState")).longValue() >= 2, "has the frame after the seek: " + played);
            assertEquals(320L, played.get("width"), played.toString());
            assertEquals(true, played.get("played"), "it plays on from there: " + played);
            Exchange ranged = browser.awaitExchange(
                    "a 206 answer to the " + entry.getKey() + "'s Range request",
                    e -> entry.getValue().equals(e.url())
                            && Integer.valueOf(206).equals(e.status()));
            assertNotNull(ranged.requestHeader("Range"), ranged.toString());
            assertNotNull(ranged.responseHeader("Content-Range"), ranged.toString());
        }
        browser.screenshot(shot(test));
    }

    @Test
    void thePageReadsLocationEtagAndContentRange(TestInfo test) {
        String token = TestTokens.user(freshUser("headers"));
        Map<String, Object> created = browser.call("uploadThroughService", api, token, "logo.png", "image/png", 5_000);
        assertEquals(201L, created.get("status"), created.toString());
        String id = (String) map(created.get("body")).get("upload_id");
        assertNotNull(created.get("location"), "Location is exposed: " + created);
        assertTrue(((String) created.get("location")).endsWith("/api/v1/uploads/" + id), created.toString());

        String url = Uploads.url(token, id).statusCode(200).extract().path("url");
        Map<String, Object> ranged = browser.call("rangeGet", url, "bytes=0-7");
        browser.screenshot(shot(test));
        assertEquals(206L, ranged.get("status"), ranged.toString());
        assertEquals("bytes 0-7/5000", ranged.get("contentRange"), "Content-Range is exposed: " + ranged);
        assertNotNull(ranged.get("etag"), "ETag is exposed: " + ranged);
        assertEquals(8L, ranged.get("length"));
        assertEquals(
                List.of(0x89L, 0x50L, 0x4EL, 0x47L, 0x0DL, 0x0AL, 0x1AL, 0x0AL),
                ranged.get("first"),
                "the PNG signature");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
