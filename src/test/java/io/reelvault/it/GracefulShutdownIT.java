package io.reelvault.it;

import static io.reelvault.support.JsonFields.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a rolling update does to the packaged application: SIGTERM while an upload streams in. The application
 * runs as a process of its own (so that the test can signal it), configured through the environment names the
 * Kubernetes manifests use ({@code QUARKUS_SHUTDOWN_DELAY}, {@code QUARKUS_SHUTDOWN_TIMEOUT}). The upload's body is
 * held back by the test at a known byte until the test releases it, so nothing here depends on timing: every wait
 * polls for a state with a generous bound. Three runs: an upload in flight finishes within the grace period (and the
 * process then exits by itself); during the pre-shutdown delay readiness is DOWN while all but new uploads is
 * served; an upload cut off by a grace period shorter than it leaves no object and no temp file.
 */
class GracefulShutdownIT {
    static final int SIZE = 4 * 1024 * 1024;
    static final int HELD_AT = 1024 * 1024;
    static final Duration BOUND = Duration.ofSeconds(60);

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    PackagedApp app;

    @AfterEach
    void stopApp() {
        if (app != null) {
            app.process().destroyForcibly();
        }
    }

    @Test
    @Timeout(120)
    void anUploadInFlightFinishesWhileNewOnesAreRefusedAndReadinessIsDown() throws Exception {
        app = PackagedApp.start("finishes", Map.of("QUARKUS_SHUTDOWN_DELAY", "2S", "QUARKUS_SHUTDOWN_TIMEOUT", "60S"));
        String token = ItKeys.token("drainer");
        assertEquals(200, get("/q/health/ready").statusCode(), "ready before SIGTERM");
        HeldBody body = new HeldBody(SIZE, HELD_AT);
        CompletableFuture<HttpResponse<String>> inFlight = upload(token, "inflight.png", body);
        body.awaitHeld();
        Poll.until(
                BOUND,
                "the service writing the upload's temp file",
                () -> !app.tempFiles().isEmpty());

        app.process().destroy(); // SIGTERM

        Poll.until(BOUND, "readiness DOWN", () -> {
            HttpResponse<String> ready = get("/q/health/ready");
            return ready.statusCode() == 503 && ready.body().contains("\"DOWN\"");
        });
        assertEquals(200, get("/q/health/live").statusCode(), "liveness stays UP: the platform must not kill it early");
        HttpResponse<String> refused = upload(token, "late.png", new HeldBody(64 * 1024, 64 * 1024).released())
                .get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals(
                "application/problem+json",
                refused.headers().firstValue("Content-Type").orElse(""));
        assertTrue(refused.body().contains("\"code\":\"shutting_down\""), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
        assertFalse(inFlight.isDone(), "the first upload is still held back by the test");

        body.release();
        HttpResponse<String> created = inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(body.sha256(), field(created.body(), "sha256"));
        Path stored = app.root().resolve(field(created.body(), "key"));
        assertEquals(body.sha256(), sha256(stored), "the object on disk is the whole upload");

        assertTrue(app.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the process ends after the upload");
        assertEquals(
                143,
                app.process().exitValue(),
                "the JVM's normal end on SIGTERM (128+15), not a crash or SIGKILL\n" + app.log());
        assertEquals(List.of(), app.tempFiles(), "no temp file left");
        assertTrue(app.log().contains("shutting down: readiness is DOWN"), app.log());
        assertFalse(app.log().contains("Timed out waiting for graceful shutdown"), app.log());
    }

    @Test
    @Timeout(120)
    void duringTheDelayReadinessIsDownWhileEverythingButNewUploadsIsStillServed() throws Exception {
        app = PackagedApp.start("delay", Map.of("QUARKUS_SHUTDOWN_DELAY", "60S", "QUARKUS_SHUTDOWN_TIMEOUT", "5S"));
        String token = ItKeys.token("delayed");

        app.process().destroy(); // SIGTERM with nothing in flight: only the delay keeps the process here

        Poll.until(BOUND, "readiness DOWN", () -> {
            HttpResponse<String> ready = get("/q/health/ready");
            return ready.statusCode() == 503 && ready.body().contains("\"DOWN\"");
        });
        assertEquals(200, get("/q/health/live").statusCode(), "liveness stays UP");
        HttpResponse<String> list = http.send(
                HttpRequest.newBuilder(app.uri("/api/v1/uploads"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode(), "reads are still served: " + list.body());
        HttpResponse<String> refused = upload(token, "late.png", new HeldBody(64 * 1024, 64 * 1024).released())
                .get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"code\":\"shutting_down\""), refused.body());
        assertTrue(app.process().isAlive(), "still in the 60 s delay");
        assertEquals(List.of(), app.files(), "the refused upload stored nothing");
    }

    @Test
    @Timeout(120)
    void anUploadCutOffByTheGracePeriodLeavesNothing() throws Exception {
        app = PackagedApp.start("cut-off", Map.of("QUARKUS_SHUTDOWN_DELAY", "0S", "QUARKUS_SHUTDOWN_TIMEOUT", "1S"));
        HeldBody body = new HeldBody(SIZE, HELD_AT);
        CompletableFuture<HttpResponse<String>> inFlight = upload(ItKeys.token("cutoff"), "cut.png", body);
        body.awaitHeld();
        Poll.until(
                BOUND,
                "the service writing the upload's temp file",
                () -> !app.tempFiles().isEmpty());

        app.process().destroy(); // SIGTERM; the body stays held back past the 1 s grace period

        assertTrue(
                app.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS),
                "the process ends at the deadline\n" + app.log());
        assertEquals(143, app.process().exitValue(), "the JVM's normal end on SIGTERM (128+15)\n" + app.log());
        body.release(); // lets the client notice, whichever way it ends
        try {
            HttpResponse<String> answer = inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertNotEquals(201, answer.statusCode(), answer.body());
        } catch (ExecutionException expected) {
            // the connection closed under the client: the usual outcome
        }
        assertEquals(List.of(), app.files(), "neither the object nor a temp file of it\n" + app.log());
        assertTrue(
                app.log().contains("Timed out waiting for graceful shutdown"),
                "the grace period ran out\n" + app.log());
    }

    CompletableFuture<HttpResponse<String>> upload(String token, String filename, HeldBody body) {
        HttpRequest request = HttpRequest.newBuilder(app.uri("/api/v1/uploads?filename=" + filename))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> body), body.size))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(app.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
