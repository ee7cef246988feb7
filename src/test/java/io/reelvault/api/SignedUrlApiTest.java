package io.reelvault.api;

import static io.reelvault.support.SignedUrlForms.get;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.support.Management;
import io.reelvault.support.MetricsText;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.RawHttp;
import io.reelvault.support.Samples;
import io.reelvault.support.SignedUrlForms;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SignedUrlApiTest {
    @Inject
    ObjectStore store;

    @Inject
    ReelvaultConfig config;

    @Inject
    Vertx vertx;

    byte[] png;
    String key;
    String url;
    String uploadId;

    @BeforeEach
    void upload() {
        png = Samples.png(100_000);
        String token = TestTokens.user("signer");
        var created = Uploads.uploadRaw(token, "logo.png", "image/png", png)
                .statusCode(201)
                .extract();
        key = created.path("key");
        uploadId = created.path("upload_id");
        url = given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + created.path("upload_id") + "/url")
                .then()
                .statusCode(200)
                .body("method", equalTo("GET"))
                .body("expires_in", equalTo(3600))
                .body("url", startsWith("http://localhost:" + RestAssured.port + "/storage/" + key + "?"))
                .extract()
                .path("url");
    }

    @Test
    void wholeObjectWithHeaders() {
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
        byte[] body = get(url).statusCode(200)
                .header("Content-Type", "image/png")
                .header("Content-Length", String.valueOf(png.length))
                .header("Accept-Ranges", "bytes")
                .header("ETag", startsWith("\""))
                .header("Last-Modified", not(nullValue()))
                .extract()
                .asByteArray();
        assertArrayEquals(png, body);
        assertEquals(zeroCopyBefore + 1, StorageRoutes.ZERO_COPY_SENDS.sum(), "sent as a file region (sendfile)");
    }

    /**
     * On Linux (x86-64, arm64) the service runs on Netty's epoll transport, so that a file sent by {@code sendfile}
     * goes out corked ({@code TCP_CORK}, nginx's {@code tcp_nopush}); once it is out the connection is uncorked again:
     * a kept-alive connection's next answers (the tail of this one, a small one next) are never held back by the
     * kernel. Two downloads and a HEAD on one connection, each answered whole, and no connection left corked.
     */
    @Test
    void aFileSentCorkedLeavesItsConnectionUncorkedForTheNextAnswer() throws Exception {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        boolean epoll = os.equals("Linux") && (arch.equals("amd64") || arch.equals("aarch64"));
        assertEquals(epoll, vertx.isNativeTransportEnabled(), "the native transport where it exists: " + os + arch);
        long corkedBefore = TcpCork.CORKED_SENDS.sum();
        String path = url.substring(url.indexOf("/storage/"));
        try (RawHttp http = new RawHttp("localhost", RestAssured.port)) {
            for (String method : new String[] {"GET", "HEAD", "GET"}) {
                RawAnswer answer = http.exchange(
                        RawHttp.request(method, path.getBytes(StandardCharsets.US_ASCII), Map.of(), null),
                        method.equals("HEAD"));
                assertEquals(200, answer.status(), method);
                assertEquals(String.valueOf(png.length), answer.header("Content-Length"), method);
                assertArrayEquals(method.equals("GET") ? png : new byte[0], answer.body(), method);
                assertEquals(0, TcpCork.CORKED_NOW.get(), "no connection corked once its file is out");
            }
            assertEquals(1, http.connections(), "one kept-alive connection");
        }
        assertEquals(corkedBefore + (epoll ? 2 : 0), TcpCork.CORKED_SENDS.sum(), "each GET's file went out corked");
    }

    @Test
    void rangeRequestsAnswer206WithExactlyTheBytes() {
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();
        byte[] middle = given().urlEncodingEnabled(false)
                .header("Range", "bytes=1000-1999")
                .get(URI.create(url))
                .then()
                .statusCode(206)
                .header("Content-Range", "bytes 1000-1999/" + png.length)
                .header("Content-Length", "1000")
                .extract()
                .asByteArray();
        assertArrayEquals(Arrays.copyOfRange(png, 1000, 2000), middle);
        byte[] tail = given().urlEncodingEnabled(false)
                .header("Range", "bytes=-10")
                .get(URI.create(url))
                .then()
                .statusCode(206)
                .header("Content-Range", "bytes " + (png.length - 10) + "-" + (png.length - 1) + "/" + png.length)
                .extract()
                .asByteArray();
        assertArrayEquals(Arrays.copyOfRange(png, png.length - 10, png.length), tail);
        assertEquals(zeroCopyBefore + 2, StorageRoutes.ZERO_COPY_SENDS.sum(), "both ranges sent by sendfile");
        byte[] first = given().urlEncodingEnabled(false)
                .header("Range", "bytes=0-0")
                .get(URI.create(url))
                .then()
                .statusCode(206)
                .extract()
                .asByteArray();
        assertArrayEquals(new byte[] {png[0]}, first);
        assertEquals(zeroCopyBefore + 2, StorageRoutes.ZERO_COPY_SENDS.sum(), "one byte: only the held-back tail");
    }

    @Test
    void unsatisfiableRangeIs416() {
        given().urlEncodingEnabled(false)
                .header("Range", "bytes=" + png.length + "-")
                .get(URI.create(url))
                .then()
                .statusCode(416)
                .header("Content-Range", "bytes */" + png.length)
                .contentType("application/problem+json")
                .body("code", equalTo("range_not_satisfiable"));
    }

    @Test
    void headAndConditionalGet() {
        String etag = given().urlEncodingEnabled(false)
                .head(URI.create(url))
                .then()
                .statusCode(200)
                .header("Content-Length", String.valueOf(png.length))
                .header("Content-Type", "image/png")
                .extract()
                .header("ETag");
        given().urlEncodingEnabled(false)
                .header("If-None-Match", etag)
                .get(URI.create(url))
                .then()
                .statusCode(304);
    }

    @Test
    void tamperedUrlsAre403() {
        String sig = url.substring(url.indexOf("X-Signature=") + "X-Signature=".length());
        String flipped = (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1);
        problem(get(url.replace(sig, flipped)), "signature_invalid");
        problem(get(url.replace("original.png", "metadata.json")), "signature_invalid");
        problem(get(url.replaceFirst("X-Expires=(\\d+)", "X-Expires=9999999999")), "signature_invalid");
        problem(get(url.replaceFirst("&X-Signature=[^&]+", "")), "signature_invalid");
        problem(get(url + "&response-content-disposition=attachment"), "signature_invalid");
        problem(get(url + "&X-Signature=" + sig), "signature_invalid");
        problem(
                given().urlEncodingEnabled(false)
                        .contentType("image/png")
                        .body(new byte[] {1})
                        .put(URI.create(url))
                        .then(),
                "signature_invalid"); // a GET URL does not allow a PUT
        given().urlEncodingEnabled(false)
                .post(URI.create(url))
                .then()
                .statusCode(405)
                .body("code", equalTo("method_not_allowed"));
    }

    @Test
    void expiredUrlsAre403() {
        SignedUrls signer = store.capability(SignedUrls.class).orElseThrow();
        String expired = signer.sign("GET", ObjectKey.parse(key), Duration.ofSeconds(-1), Map.of())
                .url()
                .toString();
        problem(get(expired), "signature_expired");
        String fresh = signer.sign("GET", ObjectKey.parse(key), Duration.ofMinutes(1), Map.of())
                .url()
                .toString();
        get(fresh).statusCode(200);
    }

    /**
     * Each hostile path carries a valid signature of its decoded key, so that only the key check stands between it
     * and the disk; and the file that {@code uploads/../../outside-secret.txt} would reach exists, so that an escape
     * would be served and seen.
     */
    @Test
    void hostileKeysInStoragePathsNeverReachTheDisk() throws IOException {
        Path outside = config.storage()
                .local()
                .path()
                .resolve("uploads/../../outside-secret.txt")
                .normalize();
        String secret = "outside the root " + System.nanoTime();
        Files.createDirectories(outside.getParent());
        Files.writeString(outside, secret);
        try {
            for (String hostile : new String[] {
                "uploads/%2e%2e/%2e%2e/outside-secret.txt",
                "uploads/../../outside-secret.txt",
                "uploads/%252e%252e/x",
                "uploads/..%2f..%2foutside-secret.txt",
                "uploads/a%00b",
                ".tmp/x",
                "uploads/%E2%80%A4%E2%80%A4/x"
            }) {
                String signedKey = URLDecoder.decode(hostile.replace("+", "%2B"), StandardCharsets.UTF_8);
                Map<String, String> params = SignedUrlForms.baseParams("1", 9_999_999_999L);
                String path = "/storage/" + hostile + "?" + SignedUrlForms.canonicalQuery(params) + "&X-Signature="
                        + SignedUrlForms.signature(SignedUrlForms.TEST_KEY, "GET", signedKey, params);
                var r = given().urlEncodingEnabled(false)
                        .get(path)
                        .then()
                        .contentType("application/problem+json")
                        .extract();
                // 400 invalid_key from the route, or 404 when Vert.x's path normalisation already took the
                // request out of /storage/: never served, never resolved against the disk
                assertTrue(r.statusCode() == 400 || r.statusCode() == 404, hostile + " -> " + r.statusCode());
                assertFalse(r.asString().contains(secret), hostile + " served the file outside the root");
            }
        } finally {
            Files.delete(outside);
        }
    }

    /** Every purpose's series is registered at start-up: what counts is that signing one URL adds exactly one. */
    @Test
    void signedUrlsAreCounted() {
        String token = TestTokens.user("signer");
        MetricsText before = MetricsText.scrape();
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + uploadId + "/url")
                .then()
                .statusCode(200);
        MetricsText after = MetricsText.scrape();
        assertEquals(
                1.0,
                after.delta(before, "reelvault_signed_urls_total", "purpose", "preview"),
                "one preview URL signed");
        assertEquals(
                0.0,
                after.delta(before, "reelvault_signed_urls_total", "purpose", "download"),
                "no other purpose counted");
    }

    /** A client that has its Content-Length closes at once (curl, ffmpeg): the download still counts as a 200. */
    @Test
    void aDownloadWhoseClientClosesAtOnceCountsAsComplete() throws Exception {
        double resetBefore = Management.storageRequests("RESET");
        double okBefore = Management.storageRequests("200");
        URI uri = URI.create(url);
        int downloads = 30;
        for (int i = 0; i < downloads; i++) {
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.getOutputStream()
                        .write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery()
                                        + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                DataInputStream in = new DataInputStream(socket.getInputStream());
                long length = -1;
                for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                    if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Long.parseLong(line.substring(15).trim());
                    }
                }
                assertEquals(png.length, length);
                in.readFully(new byte[png.length]);
            } // closed the moment the body is in
        }
        assertEquals(resetBefore, Management.storageRequests("RESET"), "no complete download counted as reset");
        assertEquals(okBefore + downloads, Management.storageRequests("200"), "each counted as a 200");
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("headers cut short");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static void problem(ValidatableResponse r, String code) {
        r.statusCode(403).contentType("application/problem+json").body("code", equalTo(code));
    }
}
