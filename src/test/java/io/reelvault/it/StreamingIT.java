package io.reelvault.it;

import static io.reelvault.support.JsonFields.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The streaming proof: the packaged application runs with {@code -Xmx64m} (failsafe sets
 * {@code quarkus.test.arg-line}) and 512 MB go in through {@code POST /api/v1/uploads} and back out
 * through its signed URL, with equal SHA-256. Holding the body in memory anywhere would fail with
 * OutOfMemoryError. The client is Java's HttpClient, which offers {@code Upgrade: h2c} on every request:
 * the server must not aggregate such a body to upgrade (see {@code HttpServerTuning}).
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedAppResource.class, restrictToAnnotatedClass = true)
class StreamingIT {
    static final long SIZE = 512L * 1024 * 1024;
    static final String BASE = "http://localhost:" + ItPorts.http();

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    @Timeout(300)
    void halfAGigabyteRoundTripsThroughA64MegabyteHeap() throws Exception {
        assertEquals("-Xmx64m", AppUnderTest.heapFlag(), "the application under test runs with (pom.xml, failsafe)");
        String token = ItKeys.token("streamer");
        GeneratedPng source = new GeneratedPng(SIZE);
        HttpRequest upload = HttpRequest.newBuilder(URI.create(BASE + "/api/v1/uploads?filename=huge.png"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> source), SIZE))
                .build();
        HttpResponse<String> created = http.send(upload, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String sentSha = source.sha256();
        assertEquals(sentSha, field(created.body(), "sha256"));
        assertEquals(Long.toString(SIZE), field(created.body(), "size_bytes"));
        String id = field(created.body(), "upload_id");

        HttpResponse<String> signed = http.send(
                HttpRequest.newBuilder(URI.create(BASE + "/api/v1/uploads/" + id + "/url"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signed.statusCode(), signed.body());
        HttpResponse<InputStream> download = http.send(
                HttpRequest.newBuilder(URI.create(field(signed.body(), "url"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, download.statusCode());
        assertEquals(
                Long.toString(SIZE),
                download.headers().firstValue("Content-Length").orElseThrow());
        Drained back = GeneratedPng.drain(download.body());
        assertEquals(SIZE, back.bytes());
        assertEquals(sentSha, back.sha256());

        HttpResponse<String> deleted = http.send(
                HttpRequest.newBuilder(URI.create(BASE + "/api/v1/uploads/" + id))
                        .header("Authorization", "Bearer " + token)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, deleted.statusCode());
        // health answers on the management interface only, not on the API port
        assertEquals(
                404,
                http.send(
                                HttpRequest.newBuilder(URI.create(BASE + "/q/health/ready"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + PackagedAppResource.managementPort + "/q/health/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(health.body().contains("\"UP\""), "the service is still healthy: " + health.body());
    }
}
