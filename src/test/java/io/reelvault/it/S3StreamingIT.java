package io.reelvault.it;

import static io.reelvault.support.JsonFields.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.reelvault.support.Poll;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * The streaming proof on the S3 backend: the packaged application runs with {@code -Xmx96m} (tag
 * {@value #HEAP_TAG}: pom.xml runs such ITs in a failsafe execution of their own) against s3proxy's
 * filesystem store, its part buffers capped at {@value S3PackagedAppResource#BUFFER_BUDGET}. 1 GiB goes
 * in through {@code POST /api/v1/uploads} as a multipart upload of 10 MiB parts and comes back out
 * through the presigned S3 URL with equal SHA-256; a client that disconnects in the middle of a part
 * leaves no object and no multipart upload behind. The client is faster than s3proxy, so the part
 * buffers really fill up to the budget: the worst case for the heap.
 */
@QuarkusIntegrationTest
@Tag(S3StreamingIT.HEAP_TAG)
@QuarkusTestResource(value = S3PackagedAppResource.class, restrictToAnnotatedClass = true)
class S3StreamingIT {
    static final String HEAP_TAG = "heap-96m";
    static final String HEAP = "-Xmx96m";
    static final long SIZE = 1024L * 1024 * 1024;
    static final String BASE = "http://localhost:" + ItPorts.http();

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void theApplicationRunsInA96MegabyteHeap() {
        assertEquals(
                HEAP,
                AppUnderTest.heapFlag(),
                "the application under test runs with (see pom.xml, execution heap-96m)");
    }

    @Test
    @Timeout(300)
    void aGigabyteGoesToS3ThroughA96MegabyteHeap() throws Exception {
        String user = "s3-streamer-" + System.nanoTime();
        String token = ItKeys.token(user);
        GeneratedPng source = new GeneratedPng(SIZE);
        HttpRequest upload = HttpRequest.newBuilder(URI.create(BASE + "/api/v1/uploads?filename=huge.png"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> source), SIZE))
                .build();
        long t0 = System.nanoTime();
        HttpResponse<String> created = http.send(upload, HttpResponse.BodyHandlers.ofString());
        long t1 = System.nanoTime();
        assertEquals(201, created.statusCode(), created.body());
        String sentSha = source.sha256();
        assertEquals(sentSha, field(created.body(), "sha256"));
        assertEquals(Long.toString(SIZE), field(created.body(), "size_bytes"));
        String id = field(created.body(), "upload_id");
        assertEquals(List.of(), uploadsInProgress(), "no multipart upload left in progress");

        HttpResponse<String> signed = http.send(
                HttpRequest.newBuilder(URI.create(BASE + "/api/v1/uploads/" + id + "/url"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signed.statusCode(), signed.body());
        String url = field(signed.body(), "url");
        assertTrue(
                url.contains("X-Amz-Signature=") && url.contains("/" + S3PackagedAppResource.BUCKET + "/"),
                "a presigned URL of the test bucket: " + url);
        HttpResponse<InputStream> download =
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, download.statusCode());
        assertEquals(
                Long.toString(SIZE),
                download.headers().firstValue("Content-Length").orElseThrow());
        Drained back = GeneratedPng.drain(download.body());
        long t2 = System.nanoTime();
        assertEquals(SIZE, back.bytes());
        assertEquals(sentSha, back.sha256());
        System.out.printf(
                "S3StreamingIT: 1 GiB upload %.1f s (%.0f MB/s), presigned download %.1f s%n",
                (t1 - t0) / 1e9, SIZE / ((t1 - t0) / 1e9) / 1e6, (t2 - t1) / 1e9);

        HttpResponse<String> deleted = http.send(
                HttpRequest.newBuilder(URI.create(BASE + "/api/v1/uploads/" + id))
                        .header("Authorization", "Bearer " + token)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, deleted.statusCode());
        assertEquals(List.of(), objectsOf(user), "objects left under the user's uploads/");
        assertHealthy();
    }

    @Test
    @Timeout(120)
    void aClientThatDisconnectsMidPartLeavesNothingBehind() throws Exception {
        String user = "s3-dropout-" + System.nanoTime();
        String token = ItKeys.token(user);
        long declared = 300L * 1024 * 1024;
        long sent = 25L * 1024 * 1024; // two whole 10 MiB parts and half of the third
        try (Socket socket = new Socket("localhost", ItPorts.http())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/uploads?filename=cut.png HTTP/1.1\r\n"
                            + "Host: localhost:" + ItPorts.http() + "\r\n"
                            + "Authorization: Bearer " + token + "\r\n"
                            + "Content-Type: image/png\r\n"
                            + "Content-Length: " + declared + "\r\n"
                            + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try (GeneratedPng body = new GeneratedPng(sent)) {
                body.transferTo(out);
            }
            out.flush();
            // the multipart upload has begun (else this test proves nothing), and is still waiting for the rest
            Poll.until(
                    Duration.ofSeconds(20),
                    "a multipart upload of the user in progress",
                    () -> uploadsInProgress().stream().anyMatch(u -> u.key().startsWith("uploads/" + user + "/")));
            socket.setSoLinger(true, 0); // close with a reset, as a crashed client or a dropped network would
        }
        Poll.until(
                Duration.ofSeconds(20),
                "no multipart upload in progress",
                () -> uploadsInProgress().isEmpty());
        assertEquals(List.of(), objectsOf(user), "objects under the user's uploads/");
        assertHealthy();
    }

    static List<MultipartUpload> uploadsInProgress() {
        return S3PackagedAppResource.server().uploadsInProgress(S3PackagedAppResource.BUCKET);
    }

    static List<String> objectsOf(String user) {
        try (S3AsyncClient s3 = S3PackagedAppResource.client()) {
            return s3
                    .listObjectsV2(b -> b.bucket(S3PackagedAppResource.BUCKET).prefix("uploads/" + user + "/"))
                    .join()
                    .contents()
                    .stream()
                    .map(o -> o.key())
                    .toList();
        }
    }

    void assertHealthy() throws Exception {
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + S3PackagedAppResource.managementPort + "/q/health/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(health.body().contains("\"UP\""), "the service is still healthy: " + health.body());
    }
}
