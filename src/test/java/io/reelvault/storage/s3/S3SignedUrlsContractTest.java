package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.storage.SignedUrlsContract;
import io.reelvault.support.S3ProxyServer;
import io.reelvault.support.SignedPut;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The signed-URL contract on the S3 backend's presigned URLs, served by s3proxy (SigV4 checked), plus their shape:
 * path-style to the bucket, the SigV4 query parameters, the expiry in seconds, a PUT bound to its type and to
 * create-only.
 */
class S3SignedUrlsContractTest extends SignedUrlsContract {
    static final long MIB = 1024 * 1024;
    static final String BUCKET = "signed-urls";

    @TempDir
    static Path data;

    static S3ProxyServer server;
    static S3AsyncClient client;
    static ExecutorService uploaders;
    static S3ObjectStore store;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer(data).start();
        server.createBucket(BUCKET);
        client = server.client();
        uploaders = Executors.newCachedThreadPool();
        store = new S3ObjectStore(
                client,
                server.presigner(),
                BUCKET,
                new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                uploaders,
                null,
                Clock.systemUTC());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (uploaders != null) {
            uploaders.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Override
    protected SignedUrls signer() {
        return store;
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected String secret() {
        return S3ProxyServer.SECRET_KEY;
    }

    @Override
    protected String signatureParameter() {
        return "X-Amz-Signature";
    }

    @Override
    protected String expiryParameter() {
        return "X-Amz-Expires";
    }

    private static String parameter(URI url, String name) {
        return URLDecoder.decode(rawParameter(url, name), StandardCharsets.UTF_8);
    }

    @Test
    void aGetUrlIsAPathStyleSigV4PresignOfTheBucketsKey() {
        ObjectKey key = ObjectKey.parse("temp/signed/shape.bin");
        Instant before = Instant.now().minusSeconds(1);
        URI url = signer().sign("GET", key, Duration.ofMinutes(5), Map.of()).url();
        assertEquals(server.endpoint().getAuthority(), url.getAuthority());
        assertEquals("/" + BUCKET + "/" + key.value(), url.getRawPath());
        assertEquals("AWS4-HMAC-SHA256", parameter(url, "X-Amz-Algorithm"));
        assertEquals("300", parameter(url, "X-Amz-Expires"));
        assertTrue(
                parameter(url, "X-Amz-Credential").startsWith(S3ProxyServer.ACCESS_KEY + "/"),
                "the access key id, which is no secret: " + url);
        Instant date = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(ZoneOffset.UTC)
                .parse(parameter(url, "X-Amz-Date"), Instant::from);
        assertTrue(!date.isBefore(before) && !date.isAfter(Instant.now()), "signed now: " + date);
        assertTrue(parameter(url, "X-Amz-Signature").matches("[0-9a-f]{64}"), url.toString());
    }

    @Test
    void aPutUrlBindsItsTypeAndCreatesOnly() {
        SignedUrls.SignedUrl put = putTarget("image/png", 2000).url();
        assertEquals(Map.of("Content-Type", "image/png", "If-None-Match", "*"), put.requiredHeaders());
        List<String> signed =
                List.of(parameter(put.url(), "X-Amz-SignedHeaders").split(";"));
        assertTrue(signed.containsAll(List.of("host", "content-type", "if-none-match")), signed.toString());
        assertEquals("900", parameter(put.url(), "X-Amz-Expires"));
    }

    /**
     * Unlike the local route's, a presigned GET URL does not answer HEAD: SigV4 signs the method (AWS S3 refuses it
     * too). Nothing the service hands out relies on it.
     */
    @Test
    void aPresignedGetUrlIsForGetOnly() throws Exception {
        byte[] bytes = randomBytes(100, 11);
        URI url = signer().sign(
                        "GET", seed("head.bin", bytes, "application/octet-stream"), Duration.ofMinutes(5), Map.of())
                .url();
        HttpResponse<Void> head = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(url)
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
        assertEquals(403, head.statusCode());
        assertArrayEquals(bytes, get(url).body());
    }

    /** S3's own answer to a second PUT (If-None-Match: * on an existing key), and the condition is signed. */
    @Test
    void aSecondPutIs412AndDroppingTheConditionBreaksTheSignature() throws Exception {
        byte[] first = randomBytes(2000, 12);
        byte[] second = randomBytes(2000, 13);
        PutTarget target = putTarget("image/png", first.length);
        String url = target.url().url().toString();
        Map<String, String> withoutCondition = new HashMap<>(target.url().requiredHeaders());
        withoutCondition.remove("If-None-Match");
        assertEquals(403, SignedPut.send(url, withoutCondition, first).statusCode(), "the condition is signed");
        assertEquals(
                200, SignedPut.send(url, target.url().requiredHeaders(), first).statusCode());
        assertEquals(
                412, SignedPut.send(url, target.url().requiredHeaders(), second).statusCode());
        assertEquals(403, SignedPut.send(url, withoutCondition, second).statusCode(), "nor can it replace without");
        assertArrayEquals(first, stored(target.key()).orElseThrow());
    }
}
