package io.reelvault.browser;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import io.reelvault.support.browser.BrowserProfile;
import io.reelvault.support.browser.Chromium;
import io.reelvault.support.browser.Exchange;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console ({@code GET /}) driven through its own screens in a real headless Chromium, as a person would: paste
 * a token and sign in, pick files in Uppy's dashboard and upload them (one presigned PUT; a file over the 8 MiB
 * threshold in direct multipart parts) with the progress bar moving, see them listed with previews from signed URLs,
 * open a generation to see its clips' thumbnails and play one, get a composition's download link and follow it.
 * Throughout, the page breaks none of its Content-Security-Policy and never puts the token in a URL. Local backend; each
 * screen is saved as {@code target/browser-screenshots/console-*.png}.
 */
@QuarkusTest
@TestProfile(BrowserProfile.class)
class ConsoleBrowserTest {
    /** Records the page's CSP violations before any of its scripts runs (outside its policy). */
    static final String RECORD_CSP_VIOLATIONS = "window.__csp = [];"
            + "document.addEventListener('securitypolicyviolation',"
            + " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));";

    @TempDir
    static Path dir;

    static Chromium browser;
    static Path png;
    static Path wav;
    static Path clip;
    static Path thumbnail;

    @TestHTTPResource("/")
    URL service;

    String tokenInUse;

    @BeforeAll
    static void startBrowser() {
        png = dir.resolve("photo.png");
        // a real picture (the preview must decode), noisy enough to be about 1 MB: the upload reports progress
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x400,noise=alls=40:allf=t+u", "-frames:v", "1", png.toString());
        wav = dir.resolve("voice-over.wav");
        // 70 s of 16-bit stereo: about 12 MB, over the console's 8 MiB threshold, in 5 MiB parts
        ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=70", "-ar", "44100", "-ac", "2", wav.toString());
        clip = dir.resolve("clip.mp4");
        ffmpeg(
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=4:size=320x180:rate=25",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                clip.toString());
        thumbnail = dir.resolve("thumbnail.jpg");
        ffmpeg("-ss", "1", "-i", clip.toString(), "-frames:v", "1", thumbnail.toString());
        browser = Chromium.start();
        browser.beforeEachDocument(RECORD_CSP_VIOLATIONS);
    }

    static void ffmpeg(String... args) {
        String[] command = new String[args.length + 5];
        command[0] = "ffmpeg";
        command[1] = "-nostdin";
        command[2] = "-v";
        command[3] = "error";
        command[4] = "-y";
        System.arraycopy(args, 0, command, 5, args.length);
        Tools.output(Duration.ofSeconds(120), "Debian's 'ffmpeg' package", command);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openTheConsole() {
        browser.keepApiAnswers(origin());
        browser.openPage(service.toString(), "document.body.dataset.ready === 'true'");
        browser.script("sessionStorage.clear()");
        browser.openPage(service.toString(), "document.body.dataset.ready === 'true'");
        browser.clearExchanges();
    }

    /** Every API answer the console received in this test (JSON bodies included) is one the document describes. */
    @AfterEach
    void theConsoleReceivedOnlyDocumentedAnswers() {
        List<OpenApiContract.Answer> answers = browser.takeApiAnswers();
        if (tokenInUse != null) {
            assertFalse(answers.isEmpty(), "a signed-in console's API answers are recorded");
        }
        OpenApiContract.assertAnswersValid(origin(), answers);
    }

    /** The page kept its policy, and no request carried the token anywhere but in an API call's Authorization. */
    @AfterEach
    void keptThePolicyAndTheToken() {
        List<Object> violations = browser.script("return window.__csp || []");
        assertEquals(List.of(), violations, "CSP violations");
        if (tokenInUse != null) {
            for (Exchange e : browser.exchanges()) {
                assertFalse(e.url() != null && e.url().contains(tokenInUse), "the token in a URL: " + e);
                String auth = e.requestHeader("Authorization");
                if (auth != null) {
                    assertTrue(URI.create(e.url()).getPath().startsWith("/api/"), "a token sent to storage: " + e);
                }
            }
        }
    }

    String origin() {
        return service.toString().replaceAll("/$", "");
    }

    /** Where signed URLs point: the service itself on the local backend. */
    String storageOrigin() {
        return origin();
    }

    /** Told apart from the other backend's screenshots (none: the local backend's are the README's). */
    String screenshotSuffix() {
        return "";
    }

    void screenshot(String name) {
        browser.screenshot(name + screenshotSuffix());
    }

    /** A PUT to storage (not to the API). */
    static boolean storagePut(Exchange e) {
        return "PUT".equals(e.method())
                && e.url() != null
                && !URI.create(e.url()).getPath().startsWith("/api/");
    }

    /** Pastes the token into the sign-in form and submits it; waits for the uploads screen. */
    void signIn(String token) {
        tokenInUse = token;
        browser.script("document.getElementById('token').value = ''");
        browser.type("#token", token);
        browser.click("#sign-in");
        browser.await("the uploads screen after signing in", "document.body.dataset.screen === 'uploads'");
    }

    @Test
    void theConsoleIsServedWithAStrictPolicyAndNoSniffing() {
        String policy = given().get("/")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .extract()
                .header("Content-Security-Policy");
        assertNotNull(policy);
        for (String directive : List.of(
                "default-src 'self'",
                "script-src 'self';",
                "style-src 'self';",
                "connect-src 'self' " + storageOrigin() + ";",
                "img-src 'self' blob: data: " + storageOrigin() + ";",
                "media-src 'self' blob: " + storageOrigin() + ";",
                "object-src 'none'",
                "frame-ancestors 'none'")) {
            assertTrue(policy.contains(directive), directive + " in " + policy);
        }
        assertFalse(policy.contains("unsafe"), policy);
        for (String file : List.of(
                "/console/app.js",
                "/console/uploader.js",
                "/vendor/uppy-6.0.1/uppy.min.js",
                "/vendor/openapi-fetch-0.17.0/index.mjs")) {
            given().get(file)
                    .then()
                    .statusCode(200)
                    .contentType(containsString("javascript"))
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", policy);
        }
        // no inline script or handler in the page itself
        String page = given().get("/").asString();
        assertFalse(page.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "an inline script");
        assertFalse(page.matches("(?s).*\\son[a-z]+=.*"), "an inline handler");
        // the API is not the console's: it answers as before
        given().get("/api/v1/uploads").then().statusCode(401);
    }

    @Test
    void aBadTokenIsRefusedAndThePageSaysWhy() {
        screenshot("console-sign-in");
        browser.type("#token", TestTokens.expired(freshUser("late")));
        browser.click("#sign-in");
        browser.await("the problem", "!document.getElementById('problem').hidden");
        assertTrue(browser.text("problem").contains("unauthenticated"), browser.text("problem"));
        assertEquals("sign-in", (Object) browser.script("return document.body.dataset.screen"));
        assertEquals(null, (Object) browser.script("return sessionStorage.getItem('reelvault.token')"));
    }

    @Test
    void aPngUploadsWithProgressAndIsListedWithItsPreview() throws Exception {
        String user = freshUser("console");
        String token = TestTokens.user(user);
        signIn(token);
        assertEquals(
                token, (Object) browser.script("return sessionStorage.getItem('reelvault.token')"), "kept for the tab");

        browser.script(
                "window.__progress = [];"
                        + "new MutationObserver(() => window.__progress.push(document.getElementById('upload-status').textContent))"
                        + ".observe(document.getElementById('upload-status'), {childList: true, characterData: true, subtree: true});");
        browser.pickFile(".uppy-Dashboard-input", png);
        browser.click(".uppy-StatusBar-actionBtn--upload");
        browser.await(
                "the upload finished", "document.getElementById('upload-status').textContent === 'uploaded photo.png'");
        List<String> progress = browser.script("return window.__progress");
        // at least the upload's last progress event (XHR fires one before load), shown before the upload is reported
        // done
        assertTrue(
                progress.stream().anyMatch(s -> s.matches("uploading photo\\.png: \\d+% \\(.* of .*\\)")),
                "progress shown: " + progress);
        assertEquals(100L, (Object) browser.script("return document.getElementById('upload-progress').value"));

        String id = given().auth()
                .oauth2(token)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].filename", equalTo("photo.png"))
                .body("items[0].size_bytes", equalTo((int) Files.size(png)))
                .extract()
                .path("items[0].upload_id");
        String card = "document.querySelector('[data-upload-id=\"" + id + "\"]')";
        browser.await("the preview of the upload", "(" + card + "?.querySelector('img')?.naturalWidth ?? 0) > 0");
        screenshot("console-uploads");

        // one presigned PUT with its progress, straight to the storage URL (the local backend's /storage/ route)
        Exchange put = browser.awaitExchange("the PUT of the file", e -> storagePut(e) && e.status() != null);
        assertTrue(put.url().startsWith(storageOrigin() + "/"), put.toString());
        assertEquals(200, put.status(), put.toString());
        assertEquals(null, put.requestHeader("Authorization"), "the storage URL needs no token: " + put);
        Exchange complete = browser.awaitExchange(
                "the complete call", e -> e.url().endsWith("/api/v1/uploads/" + id + "/complete"));
        assertEquals(200, complete.status(), complete.toString());
        assertEquals("Bearer " + token, complete.requestHeader("Authorization"));
    }

    @Test
    void aFileOverTheThresholdGoesInPartsStraightToStorage() throws Exception {
        String token = TestTokens.user(freshUser("parts"));
        signIn(token);
        browser.pickFile(".uppy-Dashboard-input", wav);
        browser.click(".uppy-StatusBar-actionBtn--upload");
        browser.await(
                "the upload finished",
                "document.getElementById('upload-status').textContent === 'uploaded voice-over.wav'");
        byte[] sent = Files.readAllBytes(wav);
        String id = given().auth()
                .oauth2(token)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .body("items[0].filename", equalTo("voice-over.wav"))
                .body("items[0].content_type", equalTo("audio/wav"))
                .body("items[0].size_bytes", equalTo(sent.length))
                .body("items[0].sha256", equalTo(io.reelvault.support.Samples.sha256(sent)))
                .extract()
                .path("items[0].upload_id");
        // part URLs: the local backend's X-Part-Number, S3's partNumber
        List<Exchange> parts =
                browser.exchanges(e -> storagePut(e) && e.url().matches(".*[?&](X-Part-Number|partNumber)=.*"));
        int expected = (sent.length + BrowserProfile.PART_SIZE - 1) / BrowserProfile.PART_SIZE;
        assertEquals(expected, parts.size(), parts.toString());
        assertTrue(parts.stream().allMatch(e -> Integer.valueOf(200).equals(e.status())), parts.toString());
        assertTrue(
                browser.exchanges(e -> e.url().endsWith("/api/v1/uploads/" + id + "/multipart/complete")).stream()
                        .anyMatch(e -> Integer.valueOf(200).equals(e.status())),
                browser.exchanges().toString());
        browser.await(
                "the upload listed with a player", "document.querySelector('[data-upload-id=\"" + id + "\"] audio')");
    }

    @Test
    void aUserTokenIsToldThatGenerationsAndCompositionsAreThePipelines() {
        signIn(TestTokens.user(freshUser("viewer")));
        browser.click("#nav-generations");
        browser.await("the note", "!document.getElementById('generations-denied').hidden");
        assertTrue(browser.text("generations-denied").contains("\"pipeline\""), browser.text("generations-denied"));
        assertEquals(false, (Object) browser.script("return !document.getElementById('generations').hidden"));
        screenshot("console-generations-user");
        browser.click("#nav-compositions");
        browser.await("the note", "!document.getElementById('compositions-denied').hidden");
        // and the console asked nothing the API would refuse
        assertTrue(
                browser.exchanges(e -> e.url().contains("/api/v1/generations")
                                || e.url().contains("/api/v1/compositions"))
                        .isEmpty(),
                browser.exchanges().toString());
    }

    /**
     * A condition that holds once {@code selector} is on the page, and meanwhile asks for the next page with the
     * screen's "More" button: the storage these tests share holds more than one page of generations and compositions.
     */
    static String listedOrNextPage(String selector, String moreButton) {
        return "(() => { if (document.querySelector('" + selector.replace("'", "\\'") + "')) return true;"
                + " const more = document.getElementById('" + moreButton + "');"
                + " if (!more.hidden) more.click(); return false; })()";
    }

    @Test
    void aGenerationShowsItsClipsThumbnailsAndPlaysOne() throws Exception {
        String generation = storedGeneration("a lighthouse at dusk, seen from the console");
        signIn(TestTokens.pipeline(freshUser("operator")));
        browser.click("#nav-generations");
        String open = "button[data-generation-id=\"" + generation + "\"]";
        browser.await("the generation listed", listedOrNextPage(open, "generations-more"));
        browser.click(open);
        browser.await(
                "clip 1's thumbnail", "(document.querySelector('.clip[data-clip=\"1\"] img')?.naturalWidth ?? 0) > 0");
        browser.click(".clip[data-clip=\"1\"] .play");
        browser.await(
                "the clip playing",
                "(p => p.readyState >= 2 && p.currentTime > 0.3)(document.getElementById('player'))");
        Map<String, Object> player = browser.script("const p = document.getElementById('player');"
                + "return {readyState: p.readyState, width: p.videoWidth, error: p.error && p.error.code}");
        assertTrue(((Number) player.get("readyState")).longValue() >= 2, player.toString());
        assertEquals(320L, player.get("width"), player.toString());
        browser.script("document.getElementById('player').pause()");
        screenshot("console-generation");
        assertTrue(
                browser
                        .exchanges(e -> e.url().contains("/clips/clip_001.mp4")
                                || e.url().contains("clip_001"))
                        .stream()
                        .anyMatch(e -> Integer.valueOf(206).equals(e.status())),
                "the player read the clip by ranges: " + browser.exchanges());
    }

    @Test
    void aCompositionsDownloadLinkWorks() throws Exception {
        String generation = storedGeneration("a composition from the console");
        String composition = Compositions.ofFirstClip(generation);
        byte[] video = Files.readAllBytes(clip);
        Generations.put("/api/v1/compositions/" + composition + "/final?compress=false", "video/mp4", video)
                .statusCode(200);

        signIn(TestTokens.pipeline(freshUser("editor")));
        browser.click("#nav-compositions");
        String button = "button[data-composition-id=\"" + composition + "\"]";
        browser.await("the composition listed", listedOrNextPage(button, "compositions-more"));
        browser.click(button);
        browser.await("the download link", "document.querySelector('a.download-link')");
        screenshot("console-compositions");
        String href = browser.<String>script("return document.querySelector('a.download-link').href");
        assertEquals(
                "video_" + composition + ".mp4",
                browser.script("return document.querySelector('a.download-link').download"),
                "named as the API says");
        HttpResponse<byte[]> download = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(href)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertTrue(
                download.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"),
                download.headers().map().toString());
        assertArrayEquals(video, download.body());
    }

    /** A completed generation with clip 1 and its thumbnail. */
    String storedGeneration(String prompt) throws Exception {
        String generation = Generations.create(prompt);
        Generations.put("/api/v1/generations/" + generation + "/clips/1", "video/mp4", Files.readAllBytes(clip))
                .statusCode(200);
        Generations.put(
                        "/api/v1/generations/" + generation + "/thumbnails/1",
                        "image/jpeg",
                        Files.readAllBytes(thumbnail))
                .statusCode(200);
        given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + generation + "/complete")
                .then()
                .statusCode(200);
        return generation;
    }
}
