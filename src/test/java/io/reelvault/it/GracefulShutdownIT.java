package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
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
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final int SIZE = 4 * 1024 * 1024;
    static final int HELD_AT = 1024 * 1024;
    static final Duration BOUND = Duration.ofSeconds(60);

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    App app;

    @AfterEach
    void stopApp() {
        if (app != null) {
            app.process.destroyForcibly();
        }
    }

    @Test
    @Timeout(120)
    void anUploadInFlightFinishesWhileNewOnesAreRefusedAndReadinessIsDown() throws Exception {
        app = App.start("finishes", Map.of("QUARKUS_SHUTDOWN_DELAY", "2S", "QUARKUS_SHUTDOWN_TIMEOUT", "60S"));
        String token = ItKeys.token("drainer");
        assertEquals(200, get("/q/health/ready").statusCode(), "ready before SIGTERM");
        HeldBody body = new HeldBody(SIZE, HELD_AT);
        CompletableFuture<HttpResponse<String>> inFlight = upload(token, "inflight.png", body);
        body.awaitHeld();
        Poll.until(
                BOUND,
                "the service writing the upload's temp file",
                () -> !app.tempFiles().isEmpty());

        app.process.destroy(); // SIGTERM

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
        Path stored = app.root.resolve(field(created.body(), "key"));
        assertEquals(body.sha256(), sha256(stored), "the object on disk is the whole upload");

        assertTrue(app.process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the process ends after the upload");
        assertEquals(
                143,
                app.process.exitValue(),
                "the JVM's normal end on SIGTERM (128+15), not a crash or SIGKILL\n" + app.log());
        assertEquals(List.of(), app.tempFiles(), "no temp file left");
        assertTrue(app.log().contains("shutting down: readiness is DOWN"), app.log());
        assertFalse(app.log().contains("Timed out waiting for graceful shutdown"), app.log());
    }

    @Test
    @Timeout(120)
    void duringTheDelayReadinessIsDownWhileEverythingButNewUploadsIsStillServed() throws Exception {
        app = App.start("delay", Map.of("QUARKUS_SHUTDOWN_DELAY", "60S", "QUARKUS_SHUTDOWN_TIMEOUT", "5S"));
        String token = ItKeys.token("delayed");

        app.process.destroy(); // SIGTERM with nothing in flight: only the delay keeps the process here

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
        assertTrue(app.process.isAlive(), "still in the 60 s delay");
        assertEquals(List.of(), app.files(), "the refused upload stored nothing");
    }

    @Test
    @Timeout(120)
    void anUploadCutOffByTheGracePeriodLeavesNothing() throws Exception {
        app = App.start("cut-off", Map.of("QUARKUS_SHUTDOWN_DELAY", "0S", "QUARKUS_SHUTDOWN_TIMEOUT", "1S"));
        HeldBody body = new HeldBody(SIZE, HELD_AT);
        CompletableFuture<HttpResponse<String>> inFlight = upload(ItKeys.token("cutoff"), "cut.png", body);
        body.awaitHeld();
        Poll.until(
                BOUND,
                "the service writing the upload's temp file",
                () -> !app.tempFiles().isEmpty());

        app.process.destroy(); // SIGTERM; the body stays held back past the 1 s grace period

        assertTrue(
                app.process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS),
                "the process ends at the deadline\n" + app.log());
        assertEquals(143, app.process.exitValue(), "the JVM's normal end on SIGTERM (128+15)\n" + app.log());
        body.release(); // lets the client notice, whichever way it ends
        try {
            HttpResponse<String> answer = inFlight.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertNotEquals(201, answer.statusCode(), answer.body());
        } catch (java.util.concurrent.ExecutionException expected) {
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

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
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

    /** The packaged application in a process of its own, on a free port, with its own storage root. */
    record App(Process process, Path root, Path logFile, int port, int managementPort) {
        static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:\\s]+:(\\d+)");
        static final Pattern MANAGEMENT = Pattern.compile("Management interface listening on http://[^:\\s]+:(\\d+)");

        static App start(String name, Map<String, String> env) throws Exception {
            Path root = Files.createTempDirectory(
                            Files.createDirectories(Path.of("target/graceful-shutdown-it")), name + "-storage-")
                    .toAbsolutePath();
            return launch(name, root, env, Map.of(), "-Xmx64m");
        }

        /**
         * The application on the storage root {@code root} (kept: a restart after a crash launches on the same one),
         * with {@code env} and the system properties {@code props} (an S3 backend's settings) on top of the defaults.
         */
        static App launch(String name, Path root, Map<String, String> env, Map<String, String> props, String heap)
                throws Exception {
            Path dir = Files.createDirectories(Path.of("target/graceful-shutdown-it"));
            Path log = Files.createTempFile(dir, name + "-", ".log");
            List<String> command = new java.util.ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap));
            props.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("-jar", JAR.toString()));
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment()
                    .keySet()
                    .removeIf(k -> k.startsWith("MP_JWT")
                            || k.startsWith("REELVAULT")
                            || k.startsWith("QUARKUS")
                            || k.equals("USE_LOCAL_STORAGE")
                            || k.equals("LOCAL_STORAGE_PATH"));
            pb.environment()
                    .putAll(Map.of(
                            "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                                    ItKeys.publicKeyFile().toUri().toString(),
                            "MP_JWT_VERIFY_ISSUER", ItKeys.ISSUER,
                            "MP_JWT_VERIFY_AUDIENCES", ItKeys.AUDIENCE,
                            "LOCAL_STORAGE_PATH", root.toString(),
                            "REELVAULT_SIGNING_KEY", "graceful-shutdown-it-signing-key-0123456789",
                            "QUARKUS_HTTP_PORT", "0", // a free port, read back from the log
                            "QUARKUS_MANAGEMENT_PORT", "0", // the same for health and metrics
                            "REELVAULT_MEDIA_ENABLED", "false",
                            "REELVAULT_USAGE_ENABLED", "false",
                            "REELVAULT_LIFECYCLE_ENABLED", "false"));
            pb.environment().putAll(env);
            Process process = pb.start();
            int[] port = {0, 0};
            try {
                Poll.until(BOUND, "the application listening (" + log + ")", () -> {
                    assertTrue(process.isAlive(), "the application ended at start-up: " + read(log));
                    String text = read(log);
                    Matcher m = LISTENING.matcher(text);
                    Matcher management = MANAGEMENT.matcher(text);
                    if (m.find() && management.find()) {
                        port[0] = Integer.parseInt(m.group(1));
                        port[1] = Integer.parseInt(management.group(1));
                    }
                    return port[0] > 0;
                });
            } catch (AssertionError | RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
            return new App(process, root, log, port[0], port[1]);
        }

        /** An API path on the HTTP port; {@code /q/health/...} on the management interface's port. */
        URI uri(String path) {
            return URI.create("http://localhost:" + (path.startsWith("/q/health") ? managementPort : port) + path);
        }

        String log() {
            return read(logFile);
        }

        /** The regular files in the storage root's temp folder. */
        List<Path> tempFiles() {
            return regularFiles(root.resolve(".tmp"));
        }

        /** Every regular file under the storage root except the lock files of background jobs. */
        List<Path> files() {
            return regularFiles(root).stream()
                    .filter(p -> !root.relativize(p).startsWith(".locks"))
                    .toList();
        }

        private static List<Path> regularFiles(Path dir) {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                return walk.filter(Files::isRegularFile).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * {@code size} bytes of a PNG (signature, then pseudo-random bytes) whose reader blocks at byte {@code heldAt}
     * until {@link #release()}: an upload that is surely in flight, for as long as the test wants.
     */
    static final class HeldBody extends InputStream {
        private final byte[] data;
        final long size;
        private final int heldAt;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final AtomicLong position = new AtomicLong();

        HeldBody(int size, int heldAt) {
            this(size, heldAt, size);
        }

        /** @param seed of the bytes after the PNG signature: bodies of one size differ by their seed */
        HeldBody(int size, int heldAt, long seed) {
            this.size = size;
            this.heldAt = heldAt;
            this.data = new byte[size];
            new SplittableRandom(seed).nextBytes(data);
            byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
            System.arraycopy(png, 0, data, 0, png.length);
        }

        HeldBody released() {
            release();
            return this;
        }

        void release() {
            released.countDown();
        }

        void awaitHeld() throws InterruptedException {
            assertTrue(
                    held.await(BOUND.toSeconds(), TimeUnit.SECONDS), "the client sent the body up to byte " + heldAt);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int pos = (int) position.get();
            if (pos >= data.length) {
                return -1;
            }
            if (pos == heldAt && released.getCount() > 0) {
                held.countDown();
                try {
                    if (!released.await(BOUND.toSeconds() * 2, TimeUnit.SECONDS)) {
                        throw new UncheckedIOException(new IOException("never released"));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new IOException("interrupted while held"));
                }
            }
            int limit = pos < heldAt ? heldAt : data.length;
            int n = Math.min(len, limit - pos);
            System.arraycopy(data, pos, b, off, n);
            position.addAndGet(n);
            return n;
        }

        String sha256() throws Exception {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        }
    }
}
