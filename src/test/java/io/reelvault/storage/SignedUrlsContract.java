package io.reelvault.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.ContentDisposition;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.SignedUrls.SignedUrl;
import io.reelvault.support.Poll;
import io.reelvault.support.SignedPut;
import io.smallrye.mutiny.Multi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SignedUrls} implementation promises, checked over HTTP against whatever serves its URLs (the
 * service's own {@code /storage} route for the local backend, the S3 server for presigned URLs): a GET URL serves the
 * object's bytes, ranges too, with the response headers it binds; a PUT URL stores its object once, with the type it
 * was signed for; the expiry asked for is the one given, and a URL past it is refused; a URL changed in any part (its
 * signature, the key in its path, its expiry, a parameter added or dropped, another method) is refused; the signing
 * secret is never in a URL. A backend's test extends this class, supplies its signer, store and secret, and adds only
 * the checks of its own URL shape. Refusals are asserted by status (403), not by the backend's error body.
 */
public abstract class SignedUrlsContract {
    protected static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The implementation under test. */
    protected abstract SignedUrls signer();

    /** The store its URLs point into: objects are put and read back here. */
    protected abstract ObjectStore store();

    /** The secret its signatures are made with, which no URL may show. */
    protected abstract String secret();

    /** The name of the query parameter carrying the signature. */
    protected abstract String signatureParameter();

    /** The name of the query parameter (a number) that says until when, or for how long, the URL is valid. */
    protected abstract String expiryParameter();

    /** A key a signed PUT may create, and its PUT URL. */
    public record PutTarget(ObjectKey key, SignedUrl url) {}

    /**
     * A fresh key that a signed PUT may store an object at, with its URL signed for 15 minutes, {@code contentType} and
     * {@code length}. By default the signer's own URL for an upload's original; a backend whose PUT URLs store only
     * what the service waits for (the local route) asks the service for one instead.
     */
    protected PutTarget putTarget(String contentType, long length) {
        ObjectKey key = ObjectKey.parse(String.format(
                "uploads/contract/upload_20260101_%016d/original.png",
                KEYS.incrementAndGet() * 1000L + new Random().nextInt(1000)));
        return new PutTarget(
                key,
                signer().sign(
                                "PUT",
                                key,
                                Duration.ofMinutes(15),
                                Map.of("Content-Type", contentType, "Content-Length", Long.toString(length))));
    }

    /** A fresh key under {@code temp/} holding {@code data} of {@code contentType}. */
    protected ObjectKey seed(String fileName, byte[] data, String contentType) {
        ObjectKey key = ObjectKey.parse(
                "temp/signed-" + KEYS.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36) + "/" + fileName);
        store().put(key, Multi.createFrom().item(ByteBuffer.wrap(data)), OptionalLong.of(data.length), contentType)
                .await()
                .atMost(WAIT);
        return key;
    }

    /** The object's bytes, if it exists. */
    protected Optional<byte[]> stored(ObjectKey key) {
        if (store().head(key).await().atMost(WAIT).isEmpty()) {
            return Optional.empty();
        }
        ObjectContent content = store().get(key, Optional.empty()).await().atMost(WAIT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.body().subscribe().asIterable().forEach(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.write(a, 0, a.length);
        });
        return Optional.of(out.toByteArray());
    }

    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected SignedUrl signGet(ObjectKey key, Duration expiresIn, Map<String, String> headers) {
        return signer().sign("GET", key, expiresIn, headers);
    }

    /** A GET of {@code url} with the given request headers (name, value, ...). */
    protected static HttpResponse<byte[]> get(URI url, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(WAIT);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    protected static HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
        return get(URI.create(url));
    }

    /** The value of a query parameter of {@code url}, as it is written there (still percent-encoded). */
    protected static String rawParameter(URI url, String name) {
        Matcher m =
                Pattern.compile("(?:^|&)" + Pattern.quote(name) + "=([^&]*)").matcher(url.getRawQuery());
        assertTrue(m.find(), "the URL has the parameter " + name + ": " + url);
        return m.group(1);
    }

    @Test
    void aGetUrlServesTheObjectsBytes() throws Exception {
        byte[] data = randomBytes(100_000, 1);
        ObjectKey key = seed("clip.mp4", data, "video/mp4");
        HttpResponse<byte[]> r =
                get(signGet(key, Duration.ofMinutes(5), Map.of()).url());
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
        assertEquals("video/mp4", r.headers().firstValue("Content-Type").orElse(null));
        assertEquals(
                Long.toString(data.length),
                r.headers().firstValue("Content-Length").orElse(null));
    }

    @Test
    void aGetUrlServesRanges() throws Exception {
        byte[] data = randomBytes(100_000, 2);
        URI url = signGet(seed("clip.mp4", data, "video/mp4"), Duration.ofMinutes(5), Map.of())
                .url();
        HttpResponse<byte[]> middle = get(url, "Range", "bytes=1000-1999");
        assertEquals(206, middle.statusCode());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), middle.body());
        assertEquals(
                "bytes 1000-1999/" + data.length,
                middle.headers().firstValue("Content-Range").orElse(null));
        HttpResponse<byte[]> tail = get(url, "Range", "bytes=-10");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(data, data.length - 10, data.length), tail.body());
    }

    /** Content-Disposition (an RFC 6266 attachment with a non-ASCII name) and Content-Type, bound by the signature. */
    @Test
    void aGetUrlServesTheResponseHeadersItBinds() throws Exception {
        byte[] data = randomBytes(1000, 3);
        ObjectKey key = seed("final.bin", data, "application/octet-stream");
        HttpResponse<byte[]> r = get(signGet(
                        key,
                        Duration.ofMinutes(5),
                        Map.of(
                                "Content-Disposition",
                                ContentDisposition.attachment("vidéo final.mp4"),
                                "Content-Type",
                                "video/mp4"))
                .url());
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
        assertEquals(
                "attachment; filename=\"vid_o final.mp4\"; filename*=UTF-8''vid%C3%A9o%20final.mp4",
                r.headers().firstValue("Content-Disposition").orElse(null));
        assertEquals("video/mp4", r.headers().firstValue("Content-Type").orElse(null));
    }

    @Test
    void theExpiryGivenIsTheOneAskedFor() {
        ObjectKey key = ObjectKey.parse("temp/signed/expiry.bin");
        assertEquals(
                Duration.ofMinutes(5),
                signGet(key, Duration.ofMinutes(5), Map.of()).expiresIn());
        assertEquals(
                Duration.ofHours(6), signGet(key, Duration.ofHours(6), Map.of()).expiresIn());
        assertEquals(Duration.ofMinutes(15), putTarget("image/png", 10).url().expiresIn());
    }

    /** Served while valid, refused once past its expiry (by the server's clock: this test waits a few seconds). */
    @Test
    void aUrlPastItsExpiryIsRefused() throws Exception {
        byte[] data = randomBytes(100, 4);
        ObjectKey key = seed("short.bin", data, "application/octet-stream");
        long signed = System.nanoTime();
        URI url = signGet(key, Duration.ofSeconds(3), Map.of()).url();
        HttpResponse<byte[]> fresh = get(url);
        assertEquals(200, fresh.statusCode(), "served while valid");
        Poll.until(Duration.ofSeconds(15), "the URL to expire", () -> {
            try {
                return get(url).statusCode() == 403;
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        long millis = (System.nanoTime() - signed) / 1_000_000;
        assertTrue(millis >= 1900, "not refused long before its expiry: " + millis + " ms"); // whole seconds
    }

    @Test
    void aUrlChangedInAnyPartIsRefused() throws Exception {
        byte[] data = randomBytes(1000, 5);
        byte[] otherData = randomBytes(1000, 6);
        ObjectKey key = seed("a.bin", data, "application/octet-stream");
        ObjectKey other =
                ObjectKey.parse(key.value().substring(0, key.value().lastIndexOf('/') + 1) + "b.bin"); // same folder
        store().put(
                        other,
                        Multi.createFrom().item(ByteBuffer.wrap(otherData)),
                        OptionalLong.of(otherData.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        String url = signGet(key, Duration.ofMinutes(5), Map.of()).url().toString();
        assertEquals(200, get(url).statusCode(), "the URL as signed is served");

        String signature = rawParameter(URI.create(url), signatureParameter());
        String changed = (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1);
        assertRefused(url.replace(signatureParameter() + "=" + signature, signatureParameter() + "=" + changed));
        assertRefused(url.replace(
                "&" + signatureParameter() + "=" + signature, "")); // dropped (it is never the first parameter)
        HttpResponse<byte[]> otherKey = get(url.replace("/a.bin?", "/b.bin?"));
        assertEquals(403, otherKey.statusCode(), "another key in the path");
        assertFalse(Arrays.equals(otherData, otherKey.body()), "the other object is not served");
        String expiry = rawParameter(URI.create(url), expiryParameter());
        assertRefused(url.replace(
                expiryParameter() + "=" + expiry,
                expiryParameter() + "=" + (Long.parseLong(expiry) + 1000))); // extended
        assertRefused(url + "&response-content-disposition=attachment"); // a parameter added
        assertRefused(url + "&response-content-type=text%2Fhtml");

        HttpResponse<String> put = SignedPut.send(url, Map.of("Content-Type", "application/octet-stream"), otherData);
        assertEquals(403, put.statusCode(), "a GET URL does not allow a PUT");
        assertArrayEquals(data, stored(key).orElseThrow(), "and the object is unchanged");
    }

    private static void assertRefused(String url) throws IOException, InterruptedException {
        assertEquals(403, get(url).statusCode(), url);
    }

    @Test
    void aPutUrlStoresItsObjectOnce() throws Exception {
        byte[] first = randomBytes(2000, 7);
        byte[] second = randomBytes(2000, 8);
        PutTarget target = putTarget("image/png", first.length);
        assertEquals("image/png", target.url().requiredHeaders().get("Content-Type"), "the client is told the type");
        assertEquals(Optional.empty(), stored(target.key()));

        HttpResponse<String> stored =
                SignedPut.send(target.url().url().toString(), target.url().requiredHeaders(), first);
        assertEquals(200, stored.statusCode(), stored.body());
        assertArrayEquals(first, stored(target.key()).orElseThrow());
        assertEquals(
                "image/png",
                store().head(target.key()).await().atMost(WAIT).orElseThrow().contentType());

        HttpResponse<String> again =
                SignedPut.send(target.url().url().toString(), target.url().requiredHeaders(), second);
        assertTrue(
                again.statusCode() >= 400 && again.statusCode() < 500,
                "a second PUT is refused: " + again.statusCode());
        assertArrayEquals(first, stored(target.key()).orElseThrow(), "the first bytes stay");
    }

    @Test
    void aPutUrlRefusesAnotherTypeAndStoresNothing() throws Exception {
        byte[] body = randomBytes(2000, 9);
        PutTarget target = putTarget("image/png", body.length);
        Map<String, String> gif = new HashMap<>(target.url().requiredHeaders());
        gif.put("Content-Type", "image/gif");
        assertEquals(
                403, SignedPut.send(target.url().url().toString(), gif, body).statusCode());
        assertEquals(Optional.empty(), stored(target.key()), "nothing stored");
        assertEquals(
                200,
                SignedPut.send(target.url().url().toString(), target.url().requiredHeaders(), body)
                        .statusCode(),
                "the URL still works with the type it was signed for");
    }

    @Test
    void noUrlShowsTheSecret() {
        String secret = secret();
        assertFalse(secret.isEmpty());
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        ObjectKey key = ObjectKey.parse("temp/signed/secret.bin");
        for (SignedUrl url : new SignedUrl[] {
            signGet(key, Duration.ofMinutes(5), Map.of()),
            signGet(key, Duration.ofMinutes(5), Map.of("Content-Disposition", ContentDisposition.attachment("a.mp4"))),
            putTarget("image/png", 10).url()
        }) {
            String text = url.url().toString() + url.requiredHeaders();
            assertFalse(text.contains(secret), text);
            assertFalse(text.contains(encoded), text);
            assertNotEquals(-1, text.indexOf(signatureParameter() + "="), "signed: " + text);
        }
    }
}
