package io.reelvault.browser;

import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.reelvault.support.browser.BrowserMultipartProfile;
import io.reelvault.support.browser.Chromium;
import io.reelvault.support.browser.Exchange;
import io.reelvault.support.browser.PageOrigins;
import io.reelvault.support.browser.StorageFaultProxyResource;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The real Uppy tus client (the vendored {@code uppy} 6.0.1 bundle: {@code @uppy/core} and {@code @uppy/tus} on
 * tus-js-client 4) uploading a 50 MB file in Chromium, from a page of an allowed origin, to {@code /api/v1/tus/} with
 * the bearer token in its {@code headers} and the metadata {@code filename}, {@code filetype} and
 * {@code target=upload}, in chunks of 6 MiB. Two chunks meet the network failing (CDP Fetch): one PATCH is dropped
 * before it leaves the browser (the server has nothing of it), and another's answer is lost after the server stored
 * it. Each time Uppy asks {@code HEAD} where the upload stands and goes on from the server's offset: the dropped chunk
 * is sent again, the stored one is not. The upload completes and the stored object is the page's file byte for byte.
 * tus's own {@code OPTIONS} (capabilities) works across origins next to the CORS preflights, and a page of another
 * origin is refused at the preflight and creates nothing. {@link BrowserTusS3Test} runs the same on S3.
 *
 * <p>Every {@code /api/v1} answer the page received is checked against the OpenAPI document. Figures (MB/s, PATCHes,
 * retries) go to the log and {@code target/browser-figures/uppy-tus-<backend>.txt}.
 */
@QuarkusTest
@TestProfile(BrowserMultipartProfile.class)
class BrowserTusTest {
    private static final Logger LOG = Logger.getLogger(BrowserTusTest.class);

    /** 50 MB, under the profile's 128M upload limit. */
    static final int SIZE = 50_000_000;
    /** Uppy's chunkSize: each PATCH's body (S3: at least a part's 5 MiB). */
    static final int CHUNK = 6 * 1024 * 1024;
    /** ceil(SIZE / CHUNK): 7 chunks of 6 MiB and one of 5,959,808 bytes. */
    static final int CHUNKS = 8;
    /** The offset of the PATCH dropped before it leaves the browser. */
    static final long DROPPED_OFFSET = 2L * CHUNK;
    /** The offset of the PATCH the server stores but whose answer is lost. */
    static final long LOST_OFFSET = 4L * CHUNK;
    /** The most the upload call may take before the test fails; the upload itself takes seconds. */
    static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(150);

    static Chromium browser;

    @TestHTTPResource("/")
    URL service;

    String api;

    @BeforeAll
    static void startBrowser() {
        assertTrue(
                Files.isRegularFile(BrowserMultipartTest.UPPY.resolve("uppy.min.js")),
                "the vendored Uppy bundle is at " + BrowserMultipartTest.UPPY);
        PageOrigins.allowed().serveDirectory("uppy", BrowserMultipartTest.UPPY);
        PageOrigins.other().serveDirectory("uppy", BrowserMultipartTest.UPPY);
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void keepAnswers() {
        api = service.toString().replaceAll("/$", "");
        storageProxy().clear();
        browser.keepApiAnswers(api);
    }

    /** Every API answer the page received in this test is one the document describes. */
    @AfterEach
    void thePageReceivedOnlyDocumentedAnswers() {
        OpenApiContract.assertAnswersValid(api, browser.takeApiAnswers());
    }

    /** The backend's name in figures and screenshots. */
    String backend() {
        return "local";
    }

    /**
     * The fault proxy the profile puts in front of storage's signed URLs (local: the service's {@code /storage/}),
     * through which the test reads the stored object back; it faults nothing here.
     */
    S3FaultProxy storageProxy() {
        return StorageFaultProxyResource.proxy().upstream(URI.create(service.toString()));
    }

    void open(String page) {
        browser.open(page);
        browser.clearExchanges();
    }

    /** The request's {@code Upload-Offset} is {@code offset}. */
    static BiPredicate<String, Map<String, Object>> patchAt(long offset) {
        return (url, headers) -> Long.toString(offset).equals(header(headers, "Upload-Offset"));
    }

    @Test
    void uppyTusUploadResumesFromHeadAfterADroppedChunkAndALostAnswer(TestInfo test) throws Exception {
        open(PageOrigins.allowed().url("tus.html"));
        String token = TestTokens.user(freshUser("uppy-tus"));
        String scope = "*/api/v1/tus/*";
        Map<String, Object> r;
        int dropped;
        int lost;
        try (Chromium.Cut drop = browser.cutRequestsWhere("PATCH", scope, patchAt(DROPPED_OFFSET), 1);
                Chromium.Cut lose = browser.loseAnswersWhere("PATCH", scope, patchAt(LOST_OFFSET), 1)) {
            r = browser.callWithin(UPLOAD_TIMEOUT, "tusUpload", api, token, SIZE, CHUNK, Map.of());
            dropped = drop.count();
            lost = lose.count();
        }
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(List.of(), r.get("uppyErrors"), summary);
        assertEquals(1L, r.get("successful"), summary);
        assertEquals(0L, r.get("failed"), summary);
        assertEquals("uploaded big.png", browser.text("status"));
        assertEquals(1, dropped, "one PATCH dropped: " + summary);
        assertEquals(1, lost, "one PATCH's answer lost: " + summary);

        // what tus-js-client sent and read, in order: created, then chunks; each failure followed by a HEAD whose
        // offset the next PATCH starts from (the dropped chunk again; after the lost answer, the chunk after it)
        List<Map<String, Object>> requests = BrowserMultipartTest.list(r.get("requests"));
        List<String> sent = requests.stream()
                .map(q ->
                        q.get("method") + " " + q.get("offset") + " " + q.get("status") + " " + q.get("answeredOffset"))
                .toList();
        List<String> expected = new ArrayList<>();
        expected.add("POST null 201 null");
        for (long offset = 0; offset < SIZE; offset += CHUNK) {
            long end = Math.min(SIZE, offset + CHUNK);
            if (offset == DROPPED_OFFSET) {
                expected.add("PATCH " + offset + " null null");
                expected.add("HEAD null 200 " + offset);
            }
            if (offset == LOST_OFFSET) {
                expected.add("PATCH " + offset + " null null");
                expected.add("HEAD null 200 " + end);
                continue;
            }
            expected.add("PATCH " + offset + " 204 " + end);
        }
        assertEquals(expected, sent, summary);
        Map<String, Object> created = requests.get(0);
        assertTrue(
                String.valueOf(created.get("location")).startsWith(api + "/api/v1/tus/"),
                "Location, exposed to the page: " + created);
        assertNotNull(created.get("expires"), "Upload-Expires, exposed to the page: " + created);
        List<Map<String, Object>> retries = BrowserMultipartTest.list(r.get("retries"));
        assertEquals(2, retries.size(), "Uppy retried twice: " + retries);
        for (Map<String, Object> retry : retries) {
            assertEquals(0L, retry.get("status"), "a network failure, no answer: " + retry);
            assertEquals(true, retry.get("retry"), "Uppy's decision: retry: " + retry);
        }

        // the network as Chromium saw it: the same PATCHes (each chunk once, the dropped one twice), the two broken
        // ones failed, every other one 204
        String tusUrl = (String) created.get("location");
        List<Exchange> patches = browser.exchanges(e -> "PATCH".equals(e.method()) && tusUrl.equals(e.url()));
        List<String> seen = patches.stream()
                .map(e -> e.requestHeader("Upload-Offset") + " " + e.status() + " " + e.failure())
                .toList();
        assertEquals(CHUNKS + 1, patches.size(), seen.toString());
        for (int i = 0; i < patches.size(); i++) {
            Exchange patch = patches.get(i);
            long offset = Long.parseLong(patch.requestHeader("Upload-Offset"));
            boolean broken = offset == LOST_OFFSET
                    || offset == DROPPED_OFFSET
                            && !Long.toString(offset).equals(patches.get(i - 1).requestHeader("Upload-Offset"));
            if (broken) {
                assertNotNull(patch.failure(), "failed: " + seen);
                assertNull(patch.status(), "no answer reached the page: " + seen);
            } else {
                assertNull(patch.failure(), seen.toString());
                assertEquals(204, patch.status(), seen.toString());
                assertEquals("application/offset+octet-stream", patch.requestHeader("Content-Type"));
                assertEquals("1.0.0", patch.requestHeader("Tus-Resumable"));
                assertEquals("Bearer " + token, patch.requestHeader("Authorization"), "Uppy's headers option");
            }
        }
        assertEquals(
                2,
                browser.exchanges(e -> "HEAD".equals(e.method()) && tusUrl.equals(e.url()))
                        .size());
        // the PATCH's preflight allowed what tus-js-client sends
        Exchange preflight = browser.awaitExchange(
                "the preflight of a PATCH",
                e -> isPreflight(e)
                        && tusUrl.equals(e.url())
                        && "PATCH".equals(e.requestHeader("Access-Control-Request-Method"))
                        && e.status() != null);
        assertEquals(200, preflight.status(), preflight.toString());
        String allowed = String.valueOf(preflight.responseHeader("Access-Control-Allow-Headers"))
                .toLowerCase(Locale.ROOT);
        for (String header : String.valueOf(preflight.requestHeader("Access-Control-Request-Headers"))
                .split(",")) {
            assertTrue(allowed.contains(header.strip()), header + " allowed: " + preflight);
        }

        // progress: reported as the bytes went, and ending at the file's size
        assertTrue((Long) r.get("progressEvents") > CHUNKS, summary);
        assertEquals((long) SIZE, r.get("lastProgress"), summary);
        assertEquals((long) SIZE, r.get("maxProgress"), summary);

        // what the service stored is the page's file, under the upload the last PATCH named
        String resource = (String) r.get("resource");
        assertNotNull(resource, "Reelvault-Resource, exposed to the page: " + summary);
        assertTrue(resource.startsWith(api + "/api/v1/uploads/"), resource);
        assertStoredIsThePagesFile(token, resource, (String) r.get("expectedSha256"), SIZE);

        // the tus answers the page read, checked against the document now (@AfterEach checks whatever came after)
        List<OpenApiContract.Answer> answers = browser.takeApiAnswers();
        assertEquals(
                new TreeSet<>(List.of("HEAD 200", "PATCH 204", "POST 201")),
                answers.stream().map(a -> a.method() + " " + a.status()).collect(Collectors.toCollection(TreeSet::new)),
                answers.toString());
        // the POST, every chunk's PATCH but the lost one's, the two HEADs
        assertEquals(1 + (CHUNKS - 1) + 2, answers.size(), "every answer that reached the page: " + answers);
        OpenApiContract.assertAnswersValid(api, answers);

        figures(
                "interrupted",
                "PATCH at " + DROPPED_OFFSET + " dropped before sending and sent again, PATCH at " + LOST_OFFSET
                        + " stored but its answer lost (not sent again); every tus request paused and continued by"
                        + " CDP Fetch for that, which slows the bodies",
                r);
    }

    @Test
    void uppyTusWithOverridePatchMethodSendsItsChunksAsPostsTheServiceTakesAsPatches(TestInfo test) throws Exception {
        open(PageOrigins.allowed().url("tus.html"));
        String token = TestTokens.user(freshUser("uppy-tus-override"));
        int size = 12_000_000;
        int chunk = 5 * 1024 * 1024;
        Map<String, Object> r = browser.callWithin(
                UPLOAD_TIMEOUT, "tusUpload", api, token, size, chunk, Map.of("overridePatchMethod", true));
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(List.of(), r.get("uppyErrors"), summary);
        assertEquals(1L, r.get("successful"), summary);
        List<String> sent = BrowserMultipartTest.list(r.get("requests")).stream()
                .map(q -> q.get("method") + " " + q.get("override") + " " + q.get("offset") + " " + q.get("status"))
                .toList();
        assertEquals(
                List.of(
                        "POST null null 201",
                        "POST PATCH 0 204",
                        "POST PATCH " + chunk + " 204",
                        "POST PATCH " + 2 * chunk + " 204"),
                sent,
                summary);
        String tusUrl =
                (String) BrowserMultipartTest.list(r.get("requests")).get(0).get("location");
        Exchange preflight = browser.awaitExchange(
                "the preflight of a POST",
                e -> isPreflight(e)
                        && tusUrl.equals(e.url())
                        && "POST".equals(e.requestHeader("Access-Control-Request-Method"))
                        && e.status() != null);
        assertEquals(200, preflight.status(), preflight.toString());
        assertTrue(
                String.valueOf(preflight.requestHeader("Access-Control-Request-Headers"))
                        .contains("x-http-method-override"),
                preflight.toString());
        assertStoredIsThePagesFile(token, (String) r.get("resource"), (String) r.get("expectedSha256"), size);
    }

    /**
     * tus-js-client's {@code addRequestId} sends an {@code X-Request-ID} with every request (to find them in server
     * logs): the preflight must allow it, or nothing can be uploaded with that option. Uninterrupted: its figures are
     * the plain speed of Uppy's tus in this browser.
     */
    @Test
    void uppyTusWithRequestIdsUploadsUninterrupted(TestInfo test) throws Exception {
        open(PageOrigins.allowed().url("tus.html"));
        String token = TestTokens.user(freshUser("uppy-tus-request-id"));
        Map<String, Object> r = browser.callWithin(
                UPLOAD_TIMEOUT,
                "tusUpload",
                api,
                token,
                SIZE,
                CHUNK,
                Map.of("addRequestId", true, "retryDelays", List.of()));
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(List.of(), r.get("uppyErrors"), summary);
        assertEquals(1L, r.get("successful"), summary);
        List<Map<String, Object>> requests = BrowserMultipartTest.list(r.get("requests"));
        assertEquals(1 + CHUNKS, requests.size(), summary);
        for (Map<String, Object> q : requests) {
            assertNotNull(q.get("requestId"), "an X-Request-ID on each request: " + q);
            assertEquals(q.get("method").equals("POST") ? 201L : 204L, q.get("status"), summary);
        }
        assertEquals(
                requests.size(),
                requests.stream().map(q -> q.get("requestId")).distinct().count(),
                summary);
        assertStoredIsThePagesFile(token, (String) r.get("resource"), (String) r.get("expectedSha256"), SIZE);
        figures("uninterrupted", "no fault, no CDP Fetch", r);
    }

    /** A creation the service refuses reaches Uppy with its status and problem (CORS on error answers too). */
    @Test
    void aRefusedCreationReachesUppyWithItsStatusAndProblem(TestInfo test) {
        open(PageOrigins.allowed().url("tus.html"));
        String token = TestTokens.user(freshUser("uppy-tus-refused"));
        Map<String, Object> r = browser.callWithin(
                UPLOAD_TIMEOUT,
                "tusUpload",
                api,
                token,
                1_000_000,
                CHUNK,
                Map.of("retryDelays", List.of(), "meta", Map.of("target", "temp", "job_id", "job-1")));
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(0L, r.get("successful"), summary);
        List<Map<String, Object>> requests = BrowserMultipartTest.list(r.get("requests"));
        assertEquals(1, requests.size(), summary);
        assertEquals(403L, requests.get(0).get("status"), "the page read the refusal: " + summary);
        String error = String.valueOf(BrowserMultipartTest.list(r.get("uppyErrors")));
        assertTrue(error.contains("403") && error.contains("\"code\":\"forbidden\""), "Uppy reports it: " + error);
        List<OpenApiContract.Answer> answers = browser.takeApiAnswers();
        assertEquals("[POST " + api + "/api/v1/tus/ -> 403]", answers.toString());
        OpenApiContract.assertAnswersValid(api, answers);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items", empty());
    }

    @Test
    void tusOptionsAnswersItsCapabilitiesToAnAllowedPage(TestInfo test) {
        open(PageOrigins.allowed().url("tus.html"));
        String token = TestTokens.user(freshUser("uppy-tus-options"));
        Map<String, Object> r = browser.call("tusOptions", api, token);
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        assertNull(r.get("error"), r.toString());
        assertEquals(204L, r.get("status"), r.toString());
        Map<String, Object> headers = BrowserMultipartTest.map(r.get("headers"));
        assertEquals("1.0.0", headers.get("Tus-Resumable"), r.toString());
        assertEquals("1.0.0", headers.get("Tus-Version"), r.toString());
        assertEquals(
                List.of(
                        "creation",
                        "creation-with-upload",
                        "creation-defer-length",
                        "expiration",
                        "checksum",
                        "termination",
                        "concatenation"),
                Arrays.asList(String.valueOf(headers.get("Tus-Extension")).split(",")),
                r.toString());
        assertEquals(
                128L << 20,
                Long.parseLong((String) headers.get("Tus-Max-Size")),
                "the profile's " + BrowserMultipartProfile.MAX_SIZE);
        assertNotNull(headers.get("Tus-Checksum-Algorithm"), r.toString());

        // two OPTIONS went out: the CORS preflight (answered by CORS) and tus's own (answered by the service); DevTools
        // may report an answer a moment after the page read it
        String endpoint = api + "/api/v1/tus/";
        Exchange preflight = browser.awaitExchange(
                "the preflight of tus's OPTIONS",
                e -> isPreflight(e) && endpoint.equals(e.url()) && e.status() != null);
        assertEquals(200, preflight.status(), preflight.toString());
        assertEquals("OPTIONS", preflight.requestHeader("Access-Control-Request-Method"), preflight.toString());
        assertNull(preflight.responseHeader("Tus-Version"), "the preflight is not tus's: " + preflight);
        Exchange own = browser.awaitExchange(
                "tus's OPTIONS answered",
                e -> "OPTIONS".equals(e.method()) && !isPreflight(e) && endpoint.equals(e.url()) && e.status() != null);
        assertEquals(204, own.status(), own.toString());
        assertEquals("1.0.0", own.responseHeader("Tus-Version"), own.toString());
        assertEquals(PageOrigins.allowed().origin(), own.responseHeader("Access-Control-Allow-Origin"));
        assertEquals(
                2,
                browser.exchanges(e -> "OPTIONS".equals(e.method()) && endpoint.equals(e.url()))
                        .size());
    }

    @Test
    void fromAnotherOriginThePreflightFailsAndNothingIsCreated(TestInfo test) {
        open(PageOrigins.other().url("tus.html"));
        String token = TestTokens.user(freshUser("uppy-tus-other"));
        Map<String, Object> r = browser.callWithin(
                UPLOAD_TIMEOUT, "tusUpload", api, token, 1_000_000, CHUNK, Map.of("retryDelays", List.of()));
        Map<String, Object> options = browser.call("tusOptions", api, token);
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(0L, r.get("successful"), summary);
        assertEquals(1L, r.get("failed"), summary);
        assertEquals(1, BrowserMultipartTest.list(r.get("uppyErrors")).size(), summary);
        assertNotNull(options.get("error"), "tus's OPTIONS is refused too: " + options);

        String endpoint = api + "/api/v1/tus/";
        List<Exchange> posts = browser.exchanges(e -> "POST".equals(e.method()) && endpoint.equals(e.url()));
        assertEquals(1, posts.size(), posts.toString());
        assertNotNull(posts.get(0).failure(), posts.toString());
        assertTrue(posts.get(0).failure().contains("CORS"), posts.toString());
        assertNull(posts.get(0).status(), "the POST never reached the service: " + posts);
        List<Exchange> preflights = browser.exchanges(e -> isPreflight(e) && endpoint.equals(e.url()));
        assertTrue(!preflights.isEmpty(), browser.exchanges().toString());
        for (Exchange preflight : preflights) {
            assertNull(preflight.responseHeader("Access-Control-Allow-Origin"), preflight.toString());
        }
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items", empty());
    }

    /** The upload {@code resource} (a {@code Reelvault-Resource} URL) is the page's file: metadata and bytes. */
    void assertStoredIsThePagesFile(String token, String resource, String expectedSha256, int size) throws Exception {
        assertNotNull(resource, "Reelvault-Resource, exposed to the page");
        assertTrue(resource.startsWith(api + "/api/v1/uploads/"), resource);
        String id = resource.substring(resource.lastIndexOf('/') + 1);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id)
                .then()
                .statusCode(200)
                .body("size_bytes", equalTo(size))
                .body("sha256", equalTo(expectedSha256))
                .body("content_type", equalTo("image/png"))
                .body("filename", equalTo("big.png"));
        String url = Uploads.url(token, id).statusCode(200).extract().path("url");
        assertEquals(
                expectedSha256 + " " + size, BrowserMultipartTest.sha256AndSizeOf(url), "the stored object, read back");
    }

    /**
     * Logs the figures of an upload of {@link #SIZE} bytes in chunks of {@link #CHUNK} and writes them to
     * {@code target/browser-figures/uppy-tus-<run>-<backend>.txt}; {@code how}: what happened on the way.
     */
    void figures(String run, String how, Map<String, Object> r) throws IOException {
        double seconds = ((Number) r.get("seconds")).doubleValue();
        List<Map<String, Object>> requests = BrowserMultipartTest.list(r.get("requests"));
        long patches = requests.stream()
                .filter(q -> "PATCH".equals(q.get("method")) || "PATCH".equals(q.get("override")))
                .count();
        long heads =
                requests.stream().filter(q -> "HEAD".equals(q.get("method"))).count();
        String text = String.format(
                Locale.ROOT,
                "backend=%s%nrun=%s%nbytes=%d%nchunk_size=%d%nchunks=%d%npatches=%d%nretries=%d%nheads=%d%n"
                        + "seconds=%.2f%nmb_per_s=%.1f%nprogress_events=%d%nprogress_regressions=%d%n",
                backend(),
                how,
                SIZE,
                CHUNK,
                CHUNKS,
                patches,
                BrowserMultipartTest.list(r.get("retries")).size(),
                heads,
                seconds,
                SIZE / 1e6 / seconds,
                r.get("progressEvents"),
                r.get("progressRegressions"));
        Files.createDirectories(BrowserMultipartTest.FIGURES);
        Files.writeString(
                BrowserMultipartTest.FIGURES.resolve("uppy-tus-" + run + "-" + backend() + ".txt"),
                text,
                StandardCharsets.UTF_8);
        LOG.infof("Uppy tus upload figures:%n%s", text);
    }

    /** A CORS preflight: an OPTIONS naming the method it asks for (tus's own OPTIONS does not). */
    static boolean isPreflight(Exchange e) {
        return "OPTIONS".equals(e.method()) && e.requestHeader("Access-Control-Request-Method") != null;
    }

    static String header(Map<String, Object> headers, String name) {
        for (var e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return Objects.toString(e.getValue(), null);
            }
        }
        return null;
    }

    /** The page's answer without its long lists, for assertion messages. */
    static String summary(Map<String, Object> r) {
        Map<String, Object> shown = new TreeMap<>(r);
        shown.remove("requests");
        shown.put("requests", BrowserMultipartTest.list(r.get("requests")).size() + " requests");
        return shown.toString() + " " + r.get("requests");
    }
}
