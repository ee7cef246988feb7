package io.reelvault.browser;

import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The real Uppy client (the vendored {@code uppy} 6.0.1 bundle: {@code @uppy/core} and {@code @uppy/aws-s3} 6.1.0
 * with {@code shouldUseMultipart}) uploading a 120 MB file in Chromium through the direct multipart API, its part
 * PUTs going straight to storage (local: the service's signed part URLs) through a fault proxy. Three parts meet the
 * network failing: one is dropped before it leaves the browser and another's answer is lost after storage took it
 * (CDP Fetch): Uppy sends both again; a third has its connection reset by the proxy after half its body: storage keeps
 * nothing of it and it is sent again (by Chromium itself when the broken connection was a reused one, else by Uppy).
 * The upload completes, and the stored object is the page's file byte for byte. Cancelling an upload aborts it.
 * {@link BrowserMultipartS3Test} runs the same on S3 (s3proxy with the shipped CORS rule, SSE-S3).
 *
 * <p>{@code @uppy/aws-s3} 6 has no createMultipartUpload/signPart/... options any more (three signing modes only):
 * {@code uppy.js} implements those five functions on our API and binds them to the Companion routes that Uppy's
 * {@code companionEndpoint} mode calls, answered inside the page (see its header). Figures (MB/s, parts, retries) go
 * to the log and {@code target/browser-figures/uppy-<backend>.txt}.
 */
@QuarkusTest
@TestProfile(BrowserMultipartProfile.class)
class BrowserMultipartTest {
    private static final Logger LOG = Logger.getLogger(BrowserMultipartTest.class);

    /** 120 MB, under the profile's 128M upload limit. */
    static final int SIZE = 120_000_000;
    /** Uppy's chunk size, sent as the upload's part_size. */
    static final int PART_SIZE = 8 * 1024 * 1024;
    /** ceil(SIZE / PART_SIZE): 14 parts of 8 MiB and one of 2,555,488 bytes. */
    static final int PARTS = 15;
    /** Dropped before it leaves the browser (the server sees nothing of it). */
    static final int DROPPED_PART = 5;
    /** Stored by the server, its answer lost on the way back (the page sees a reset). */
    static final int LOST_ANSWER_PART = 9;
    /** Its connection reset by the proxy in front of storage after half of its body. */
    static final int RESET_PART = 12;
    /** The most one upload call may take before the test fails; the upload itself takes seconds. */
    static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(150);
    /** Where the figures go. */
    static final Path FIGURES = Path.of("target", "browser-figures");
    /** The vendored bundle, served to the page as {@code uppy/uppy.min.js} by the page's own origin. */
    static final Path UPPY = Path.of("src", "main", "resources", "META-INF", "resources", "vendor", "uppy-6.0.1");

    private static final Pattern PART_NUMBER = Pattern.compile("[?&](?:partNumber|X-Part-Number)=(\\d+)(?:&|$)");

    static Chromium browser;

    @TestHTTPResource("/")
    URL service;

    String api;

    @BeforeAll
    static void startBrowser() {
        assertTrue(Files.isRegularFile(UPPY.resolve("uppy.min.js")), "the vendored Uppy bundle is at " + UPPY);
        PageOrigins.allowed().serveDirectory("uppy", UPPY);
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openThePage() {
        api = service.toString().replaceAll("/$", "");
        network().clear();
        browser.keepApiAnswers(api);
        browser.open(PageOrigins.allowed().url("uppy.html"));
        browser.clearExchanges();
    }

    /** Every API answer Uppy received in this test (JSON bodies included) is one the document describes. */
    @AfterEach
    void thePageReceivedOnlyDocumentedAnswers() {
        OpenApiContract.assertAnswersValid(api, browser.takeApiAnswers());
    }

    /** The backend's name in figures and screenshots. */
    String backend() {
        return "local";
    }

    /** The fault proxy the page's part PUTs pass on their way to storage (local: to the service's /storage/). */
    S3FaultProxy network() {
        return StorageFaultProxyResource.proxy().upstream(URI.create(service.toString()));
    }

    static Predicate<S3FaultProxy.Request> partPut(int number) {
        return r -> r.method().equals("PUT")
                && (r.hasQueryParameter("X-Part-Number", String.valueOf(number))
                        || r.hasQueryParameter("partNumber", String.valueOf(number)));
    }

    @Test
    void uppyUploads120MbThroughPartsItRetriesAndTheObjectIsThePagesFile(TestInfo test) throws Exception {
        String token = TestTokens.user(freshUser("uppy"));
        Map<String, Object> r;
        int dropped;
        int lost;
        network().resetMidBody(partPut(RESET_PART), 1);
        // only these two parts are paused by DevTools (a paused body travels through it: slow)
        try (Chromium.Cut drop = browser.cutRequests(
                        "PUT", "*Number=" + DROPPED_PART + "*", url -> partOf(url) == DROPPED_PART, 1);
                Chromium.Cut lose = browser.loseAnswers(
                        "PUT", "*Number=" + LOST_ANSWER_PART + "*", url -> partOf(url) == LOST_ANSWER_PART, 1)) {
            r = browser.callWithin(UPLOAD_TIMEOUT, "uppyUpload", api, token, SIZE, PART_SIZE, 0);
            dropped = drop.count();
            lost = lose.count();
        }
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(1, dropped, "one part PUT dropped: " + summary);
        assertEquals(1, lost, "one part PUT's answer lost: " + summary);
        assertEquals(1, network().count(partPut(RESET_PART), "reset"), "one part PUT cut mid-body: " + summary);
        assertEquals(
                1,
                network().count(partPut(RESET_PART), "pass"),
                "and sent again whole: " + network().seen());
        assertEquals(List.of(), r.get("uppyErrors"), summary);
        assertEquals(List.of(), r.get("adapterErrors"), summary);
        assertEquals(List.of(), r.get("problems"), summary);
        assertEquals(1L, r.get("successful"), summary);
        assertEquals(0L, r.get("failed"), summary);
        assertEquals("uploaded big.png", browser.text("status"));

        // the server's parts are Uppy's chunks
        Map<String, Object> started = map(r.get("started"));
        assertEquals((long) PART_SIZE, started.get("part_size"), summary);
        assertEquals((long) PARTS, started.get("part_count"), summary);
        assertEquals((long) ((SIZE + PART_SIZE - 1) / PART_SIZE), started.get("part_count"));
        List<Long> uploaded = list(r.get("partsUploaded")).stream()
                .map(p -> (Long) p.get("PartNumber"))
                .toList();
        assertEquals(
                IntStream.rangeClosed(1, PARTS).mapToObj(n -> (long) n).toList(),
                uploaded,
                "Uppy stored each part once, in order: " + summary);
        for (Map<String, Object> part : list(r.get("partsUploaded"))) {
            assertFalse(String.valueOf(part.get("ETag")).isBlank(), "the page read each part's ETag: " + part);
        }

        // the network as Chromium saw it: each part PUT once, the two broken ones twice; the first attempt failed
        Map<Integer, List<Exchange>> puts = partPuts();
        assertEquals(PARTS, puts.size(), puts.keySet().toString());
        for (var e : puts.entrySet()) {
            List<Exchange> attempts = e.getValue();
            Exchange last = attempts.get(attempts.size() - 1);
            assertEquals(200, last.status(), "part " + e.getKey() + " ends stored: " + attempts);
            assertNotNull(last.responseHeader("ETag"), "part " + e.getKey() + " answers its ETag: " + last);
            if (e.getKey() == RESET_PART) {
                // the proxy saw it cut and sent again (above); who sent it again depends on the connection: Chromium
                // resends by itself a request whose reused keep-alive connection broke before any answer (one XHR),
                // on a fresh connection the XHR fails and Uppy sends it again (two)
                assertTrue(attempts.size() <= 2, "part " + RESET_PART + ": " + attempts);
            } else if (e.getKey() == DROPPED_PART || e.getKey() == LOST_ANSWER_PART) {
                assertEquals(2, attempts.size(), "Uppy sent part " + e.getKey() + " again: " + attempts);
                assertNotNull(attempts.get(0).failure(), attempts.toString());
            } else {
                assertEquals(1, attempts.size(), "part " + e.getKey() + ": " + attempts);
                assertNull(last.failure(), last.toString());
            }
        }
        // Uppy's Companion calls were answered in the page: none of them went out
        assertEquals(
                List.of(),
                browser.exchanges(e -> e.url() != null && e.url().contains("/reelvault-uppy")),
                "the adapter's routes never reach the network");

        // progress: reported as the bytes went, and ending at the file's size
        assertTrue((Long) r.get("progressEvents") > PARTS, summary);
        assertEquals((long) SIZE, r.get("lastProgress"), summary);
        assertEquals((long) SIZE, r.get("maxProgress"), summary);

        // what the service stored is the page's file
        String id = (String) r.get("uploadId");
        String expectedSha256 = (String) r.get("expectedSha256");
        assertEquals(id, map(r.get("metadata")).get("upload_id"), summary);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id)
                .then()
                .statusCode(200)
                .body("size_bytes", equalTo(SIZE))
                .body("sha256", equalTo(expectedSha256))
                .body("content_type", equalTo("image/png"))
                .body("filename", equalTo("big.png"));
        String url = Uploads.url(token, id).statusCode(200).extract().path("url");
        assertEquals(expectedSha256 + " " + SIZE, sha256AndSizeOf(url), "the stored object, read back");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(404);

        figures(r, puts);
    }

    @Test
    void cancellingAnUppyUploadAbortsItsMultipartUpload(TestInfo test) {
        String token = TestTokens.user(freshUser("uppy-cancel"));
        int size = 12_000_000;
        int partSize = 5 * 1024 * 1024;
        Map<String, Object> r = browser.callWithin(UPLOAD_TIMEOUT, "uppyUpload", api, token, size, partSize, 1);
        browser.screenshot(getClass().getSimpleName() + "-"
                + test.getTestMethod().orElseThrow().getName());
        String summary = summary(r);
        assertEquals(true, r.get("cancelled"), summary);
        assertEquals(List.of(), r.get("uppyErrors"), summary);
        assertEquals(List.of(), r.get("adapterErrors"), summary);
        String id = (String) r.get("uploadId");
        assertNotNull(id, summary);
        assertEquals(3L, map(r.get("started")).get("part_count"), summary);
        List<Map<String, Object>> deletes = list(r.get("calls")).stream()
                .filter(c -> "DELETE".equals(c.get("method")))
                .toList();
        assertEquals(1, deletes.size(), "Uppy's cancel aborted the upload through the API: " + summary);
        assertEquals("/api/v1/uploads/" + id + "/multipart", deletes.get(0).get("path"));
        assertEquals(204L, deletes.get(0).get("status"), summary);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/multipart/parts")
                .then()
                .statusCode(404)
                .body("code", equalTo("not_found"));
        given().auth()
                .oauth2(token)
                .contentType("application/json")
                .body(Map.of("parts", List.of(Map.of("part_number", 1, "etag", "\"0\""))))
                .post("/api/v1/uploads/" + id + "/multipart/complete")
                .then()
                .statusCode(404)
                .body("code", equalTo("not_found"));
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(404);
    }

    /** The part PUTs Chromium recorded, by part number, in the order sent. */
    Map<Integer, List<Exchange>> partPuts() {
        Map<Integer, List<Exchange>> puts = new TreeMap<>();
        for (Exchange e : browser.exchanges(e -> "PUT".equals(e.method()) && partOf(e.url()) > 0)) {
            puts.computeIfAbsent(partOf(e.url()), n -> new java.util.ArrayList<>())
                    .add(e);
        }
        return puts;
    }

    static int partOf(String url) {
        Matcher m = url == null ? null : PART_NUMBER.matcher(url);
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The object at a signed GET URL, streamed: its SHA-256 and length. */
    static String sha256AndSizeOf(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            long size = 0;
            for (int n; (n = body.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                size += n;
            }
            return HexFormat.of().formatHex(sha256.digest()) + " " + size;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Logs the upload's figures and writes them to {@code target/browser-figures/uppy-<backend>.txt}. */
    void figures(Map<String, Object> r, Map<Integer, List<Exchange>> puts) throws IOException {
        double seconds = ((Number) r.get("seconds")).doubleValue();
        int sent = puts.values().stream().mapToInt(List::size).sum();
        String resentBy = puts.get(RESET_PART).size() == 1 ? "Chromium's network stack" : "Uppy";
        String text = String.format(
                Locale.ROOT,
                "backend=%s%nbytes=%d%npart_size=%d%nparts=%d%npart_puts=%d%nuppy_retries=%d (part %d dropped"
                        + " before sending, part %d's answer lost%s)%nmid_body_reset=part %d cut after half its"
                        + " body by the proxy in front of storage, sent again by %s%nseconds=%.2f%nmb_per_s=%.1f%n"
                        + "progress_events=%d%nprogress_regressions=%d%nsigning_calls=%d%napi_calls=%d%n",
                backend(),
                SIZE,
                PART_SIZE,
                puts.size(),
                sent,
                sent - puts.size(),
                DROPPED_PART,
                LOST_ANSWER_PART,
                puts.get(RESET_PART).size() == 1 ? "" : ", part " + RESET_PART + " reset mid-body",
                RESET_PART,
                resentBy,
                seconds,
                SIZE / 1e6 / seconds,
                r.get("progressEvents"),
                r.get("progressRegressions"),
                r.get("signings"),
                list(r.get("calls")).size());
        Files.createDirectories(FIGURES);
        Files.writeString(FIGURES.resolve("uppy-" + backend() + ".txt"), text, StandardCharsets.UTF_8);
        LOG.infof("Uppy multipart upload figures:%n%s", text);
    }

    /** The page's answer without its long lists, for assertion messages. */
    static String summary(Map<String, Object> r) {
        Map<String, Object> shown = new TreeMap<>(r);
        shown.remove("partsUploaded");
        shown.put("calls", list(r.get("calls")).size() + " calls");
        return shown.toString();
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
