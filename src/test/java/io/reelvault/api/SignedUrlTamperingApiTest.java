package io.reelvault.api;

import static io.reelvault.support.SignedUrlForms.TEST_KEY;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.ContentDisposition;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.SignedUrlForms;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.reelvault.support.Users;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Signed URLs of the local backend as an attacker handles them: folded, stripped, extended and repeated parameters,
 * and PUT bodies that are not the signed ones. Each must be refused with 403 {@code signature_invalid} (or, for a body
 * that runs past its length, a client error), and nothing is stored.
 */
@QuarkusTest
@OpenApiContract.Checked
class SignedUrlTamperingApiTest {
    // %test in application.properties

    @Inject
    ObjectStore store;

    /** The attack of issue 11: two bound headers folded into one parameter name kept the signature valid. */
    @Test
    void foldingThePutBindingsIntoOneParameterDoesNotVerifyAndStoresNothing() throws Exception {
        Presigned p = presign(463);
        String folded = p.url.replace(
                "header-content-length=463&header-content-type=image%2Fpng",
                "header-content-length%3D463%0Aheader-content-type=image%2Fpng");
        assertNotEquals(p.url, folded, "the URL has both bindings side by side: " + p.url);
        byte[] text = "not a png at all\n".repeat(300_000).getBytes(StandardCharsets.US_ASCII); // 5.1 MB, chunked
        HttpResponse<String> answer = putChunked(folded, "text/plain", text);
        assertProblem(answer, 403, "signature_invalid");
        assertStoredNothing(p.key);
    }

    @Test
    void foldingOrStrippingADownloadBindingDoesNotVerify() {
        String key = uploadPng();
        SignedUrls signer = store.capability(SignedUrls.class).orElseThrow();
        String disposition = ContentDisposition.attachment("video.mp4");
        String url = signer.sign(
                        "GET", ObjectKey.parse(key), Duration.ofMinutes(5), Map.of("Content-Disposition", disposition))
                .url()
                .toString();
        SignedUrlForms.get(url).statusCode(200).header("Content-Disposition", disposition);

        Matcher bound = Pattern.compile("&response-content-disposition=[^&]*").matcher(url);
        assertTrue(bound.find(), url);
        problem(SignedUrlForms.get(url.replace(bound.group(), "")), "signature_invalid"); // stripped
        // the '=' that ends the name moved into the value: the same text under the old line form
        String moved = url.replace(
                "response-content-disposition=attachment%3B%20filename%3D",
                "response-content-disposition%3Dattachment%3B%20filename=");
        assertNotEquals(url, moved, url);
        problem(SignedUrlForms.get(moved), "signature_invalid");

        String both = signer.sign(
                        "GET",
                        ObjectKey.parse(key),
                        Duration.ofMinutes(5),
                        Map.of("Content-Disposition", "attachment", "Content-Type", "application/octet-stream"))
                .url()
                .toString();
        SignedUrlForms.get(both)
                .statusCode(200)
                .header("Content-Disposition", "attachment")
                .header("Content-Type", "application/octet-stream");
        String foldedBoth = both.replace(
                "response-content-disposition=attachment&response-content-type=",
                "response-content-disposition%3Dattachment%0Aresponse-content-type=");
        assertNotEquals(both, foldedBoth, both);
        problem(SignedUrlForms.get(foldedBoth), "signature_invalid");
    }

    /** A parameter the service does not know is refused even under a valid signature over it. */
    @Test
    void unknownParametersAreRefusedEvenWhenSigned() {
        String key = uploadPng();
        Map<String, String> params = new LinkedHashMap<>(SignedUrlForms.baseParams("1", futureExpiry()));
        SignedUrlForms.get(SignedUrlForms.url(base(), TEST_KEY, "GET", key, params))
                .statusCode(200); // the form is right
        for (String unknown :
                new String[] {"response-x-frame-options", "response-location", "foo", "x-expires", "X-Signature2"}) {
            Map<String, String> extended = new LinkedHashMap<>(params);
            extended.put(unknown, "1");
            problem(
                    SignedUrlForms.get(SignedUrlForms.url(base(), TEST_KEY, "GET", key, extended)),
                    "signature_invalid");
        }
        for (String required : new String[] {"X-Algorithm", "X-Key-Id", "X-Expires"}) {
            Map<String, String> missing = new LinkedHashMap<>(params);
            missing.remove(required);
            problem(SignedUrlForms.get(SignedUrlForms.url(base(), TEST_KEY, "GET", key, missing)), "signature_invalid");
        }
        Map<String, String> otherAlgorithm = new LinkedHashMap<>(params);
        otherAlgorithm.put("X-Algorithm", "REELVAULT-HMAC-SHA256");
        problem(
                SignedUrlForms.get(SignedUrlForms.url(base(), TEST_KEY, "GET", key, otherAlgorithm)),
                "signature_invalid");
        // a PUT URL without its bound length (no cap on the body) is refused even when signed
        Map<String, String> put = new LinkedHashMap<>(params);
        put.put("header-content-type", "image/png");
        problem(
                given().urlEncodingEnabled(false)
                        .contentType("image/png")
                        .body(new byte[] {1})
                        .put(URI.create(SignedUrlForms.url(base(), TEST_KEY, "PUT", key, put)))
                        .then(),
                "signature_invalid");
    }

    @Test
    void repeatedParametersAreRefused() throws Exception {
        String key = uploadPng();
        SignedUrls signer = store.capability(SignedUrls.class).orElseThrow();
        String url = signer.sign("GET", ObjectKey.parse(key), Duration.ofMinutes(5), Map.of())
                .url()
                .toString();
        Matcher expires = Pattern.compile("X-Expires=\\d+").matcher(url);
        assertTrue(expires.find(), url);
        problem(SignedUrlForms.get(url + "&" + expires.group()), "signature_invalid");
        problem(SignedUrlForms.get(url + "&" + expires.group().replace("X-Expires", "x-expires")), "signature_invalid");
        problem(
                SignedUrlForms.get(url + "&" + expires.group().replace("X-Expires", "X%2DExpires")),
                "signature_invalid");
        // an empty parameter (RestAssured drops those: sent as they are)
        for (String empty :
                new String[] {url + "&", url.replace("?", "?&"), url.replace("&X-Signature", "&&X-Signature")}) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(empty)).build(), HttpResponse.BodyHandlers.ofString());
            assertProblem(r, 403, "signature_invalid");
        }
    }

    @Test
    void aChunkedOrLongerPutBodyIsRefusedAndStoresNothing() throws Exception {
        Presigned p = presign(5000);
        byte[] png = Samples.png(5000);
        assertProblem(putChunked(p.url, "image/png", png), 403, "signature_invalid");
        assertStoredNothing(p.key);
        assertProblem(Uploads.putTo(p.url, "image/png", Samples.png(5001)), 403, "signature_invalid");
        assertProblem(Uploads.putTo(p.url, "image/png", Samples.png(4999)), 403, "signature_invalid");
        assertStoredNothing(p.key);

        // Content-Length and Transfer-Encoding together, the body longer than either: request smuggling's shape
        URI uri = URI.create(p.url);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            var request = new ByteArrayOutputStream();
            request.write(("PUT " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: image/png\r\nContent-Length: 5000\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] big = Samples.png(20_000);
            request.write((Integer.toHexString(big.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(big);
            request.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // one write: the server refuses from the head and closes; a body written in pieces after that
            // could meet a closed connection (broken pipe) before the answer is read
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            String status = statusLine(socket.getInputStream());
            assertTrue(status.startsWith("HTTP/1.1 4"), status);
        }
        assertStoredNothing(p.key);

        HttpResponse<String> honest = Uploads.putTo(p.url, "image/png", png);
        assertEquals(200, honest.statusCode(), honest.body());
        assertEquals(
                png.length,
                store.head(ObjectKey.parse(p.key))
                        .await()
                        .indefinitely()
                        .orElseThrow()
                        .size());
    }

    @Test
    void theSignedTypeIsRequiredExactly() throws Exception {
        Presigned p = presign(1000);
        assertProblem(Uploads.putTo(p.url, "text/plain", Samples.png(1000)), 403, "signature_invalid");
        assertProblem(Uploads.putTo(p.url, "image/png; charset=utf-8", Samples.png(1000)), 403, "signature_invalid");
        HttpResponse<String> noType = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(p.url))
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(Samples.png(1000)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertProblem(noType, 403, "signature_invalid");
        assertStoredNothing(p.key);
    }

    record Presigned(String url, String key) {}

    private static Presigned presign(int size) {
        String token = TestTokens.user(Users.freshUser("tamper"));
        var presigned = Uploads.presign(token, "original.png", "image/png", size);
        assertEquals(201, presigned.statusCode(), presigned.asString());
        String url = presigned.path("upload_url");
        String path = URI.create(url).getRawPath();
        return new Presigned(url, path.substring(StorageRoutes.PREFIX.length()));
    }

    private static String uploadPng() {
        String token = TestTokens.user(Users.freshUser("tamper"));
        return Uploads.uploadRaw(token, "logo.png", "image/png", Samples.png(2000))
                .statusCode(201)
                .extract()
                .path("key");
    }

    private static String base() {
        return "http://localhost:" + RestAssured.port;
    }

    private static long futureExpiry() {
        return Instant.now().plusSeconds(300).getEpochSecond();
    }

    private void assertStoredNothing(String key) {
        assertFalse(store.head(ObjectKey.parse(key)).await().indefinitely().isPresent(), "nothing stored at " + key);
    }

    static HttpResponse<String> putChunked(String url, String type, byte[] body) throws Exception {
        InputStream in = new ByteArrayInputStream(body);
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", type)
                                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> in))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"code\":\"" + code + "\""), r.body());
    }

    private static void problem(ValidatableResponse r, String code) {
        r.statusCode(403).contentType("application/problem+json").body("code", equalTo(code));
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
