package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.JsonFields;
import io.reelvault.support.Poll;
import io.reelvault.support.S3ProxyServer;
import io.reelvault.support.Samples;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the packaged application leaves when it dies or is stopped mid-upload, on each backend, in one run per backend
 * (two launches of the jar, not four):
 * <ol>
 * <li>{@code kill -9} while uploads stream (issue 12, item 1): a real SIGKILL ({@link Process#destroyForcibly()}), so
 * no shutdown hook, no abort, no clean-up runs. Before the kill some uploads finish (201); five are held mid-body by
 * the test at a known byte (the service has their temp files, or their multipart uploads and streaming PutObjects).
 * After a restart on the same storage every upload answered 201 is intact (its stored bytes and its metadata carry
 * the sha256 the client computed); of the five, nothing remains: no object, and once the incomplete-write sweep ran
 * (grace and interval 1 s here) no temp file and no multipart upload (listed with {@code ListMultipartUploads}).</li>
 * <li>SIGTERM with 20 uploads in flight (item 8), on the restarted application: during the pre-shutdown delay a new
 * upload is answered 503 {@code shutting_down}; the ten uploads the test then lets go finish within the shutdown
 * timeout (201, intact); the ten it holds back past the timeout are cut, and when the process has exited nothing of
 * them is anywhere: no object, no temp file, no multipart upload.</li>
 * </ol>
 * The figures (uploads answered before the kill, time until the leftovers were gone, shutdown timings) are printed.
 */
class CrashAndShutdownIT {
    static final Duration BOUND = Duration.ofSeconds(90);
    static final int STREAMING = 5;
    static final String BUCKET = "reelvault-crash-it";
    /** Sweep abandoned writes at once, and let one caller stream every upload of the test. */
    static final Map<String, String> ENV = Map.of(
            "REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE", "1s",
            "REELVAULT_STORAGE_INCOMPLETE_WRITE_SWEEP_INTERVAL", "1s",
            "REELVAULT_UPLOADS_MAX_CONCURRENT_PER_CALLER", "32",
            "REELVAULT_RATE_LIMITS_ENABLED", "false",
            "REELVAULT_UPLOADS_SWEEP_ENABLED", "false",
            "QUARKUS_SHUTDOWN_DELAY", "2S",
            // the released uploads answer within 0.6 s of the SIGTERM (figures printed below); the held ones wait
            // out the whole timeout, so a longer one only makes the test longer
            "QUARKUS_SHUTDOWN_TIMEOUT", "5S");

    static final int IN_FLIGHT = 20;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    PackagedApp app;
    S3ProxyServer s3;
    S3AsyncClient client;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.process().destroyForcibly();
        }
        if (client != null) {
            client.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    @Timeout(240)
    void localKillNineThenSigtermUnderLoadLeaveNothingPartialAndKeepEveryAnsweredUpload() throws Exception {
        Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target/crash-it")), "local-")
                .toAbsolutePath();
        app = PackagedApp.launch("crash-local", root, ENV, Map.of(), "-Xmx64m");
        String token = ItKeys.token("crash-local");

        Map<String, String> answered = finishSome(token, List.of(1 << 20, 2 << 20, 3 << 20));
        List<HeldBody> held = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> streaming = new ArrayList<>();
        for (int i = 0; i < STREAMING; i++) {
            HeldBody body = new HeldBody(4 << 20, 1 << 20, 100 + i);
            held.add(body);
            streaming.add(upload(token, "streaming-" + i + ".png", body));
        }
        for (HeldBody body : held) {
            body.awaitHeld();
        }
        Poll.until(
                BOUND,
                "the service writing " + STREAMING + " temp files",
                () -> app.tempFiles().size() == STREAMING);

        killNine(held, streaming);
        assertEquals(STREAMING, app.tempFiles().size(), "what the crash left: the temp files of the uploads it cut");

        long restart = System.nanoTime();
        app = PackagedApp.launch("crash-local-restarted", root, ENV, Map.of(), "-Xmx64m");
        long listening = System.nanoTime();
        Poll.until(
                BOUND,
                "the temp files of the cut uploads removed\n" + app.log(),
                () -> app.tempFiles().isEmpty());
        report("local", answered.size(), restart, listening);

        assertIntact(token, answered, localObjects(root));
        assertTrue(app.log().contains("incomplete-write sweep removed " + STREAMING), app.log());

        List<HeldBody> load = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            load.add(new HeldBody(2 << 20, 1 << 20, 300 + i));
        }
        answered.putAll(sigtermUnderLoad(token, load, () -> app.tempFiles().size() == IN_FLIGHT));
        assertEquals(List.of(), app.tempFiles(), "no temp file left\n" + app.log());
        assertIntact(token, answered, localObjects(root));
    }

    private Map<String, byte[]> localObjects(Path root) throws Exception {
        Map<String, byte[]> stored = new HashMap<>();
        for (Path p : app.files()) {
            stored.put(root.relativize(p).toString(), Files.readAllBytes(p));
        }
        return stored;
    }

    @Test
    @Timeout(240)
    void s3KillNineThenSigtermUnderLoadLeaveNothingPartialAndKeepEveryAnsweredUpload() throws Exception {
        s3 = new S3ProxyServer(
                        Files.createTempDirectory(Files.createDirectories(Path.of("target/crash-it")), "s3proxy-")
                                .toAbsolutePath())
                .start();
        s3.createBucket(BUCKET);
        client = s3.client();
        Map<String, String> props = new HashMap<>(s3.serviceConfig(BUCKET));
        // small parts: a 7 MB upload goes multipart and has a multipart upload in S3 before its body is half read
        props.put("reelvault.storage.s3.multipart-threshold", "5M");
        props.put("reelvault.storage.s3.part-size", "5M");
        props.put("reelvault.storage.s3.buffer-budget", "40M");
        Path root = Files.createTempDirectory(Path.of("target/crash-it"), "s3-unused-root-")
                .toAbsolutePath();
        app = PackagedApp.launch("crash-s3", root, ENV, props, "-Xmx128m");
        String token = ItKeys.token("crash-s3");

        Map<String, String> answered = finishSome(token, List.of(7 << 20, 1 << 20, 2 << 20));
        List<HeldBody> held = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> streaming = new ArrayList<>();
        for (int i = 0; i < STREAMING; i++) {
            // three multipart uploads (held in their second part), two PutObjects streaming
            HeldBody body = i < 3 ? new HeldBody(7 << 20, 6 << 20, 200 + i) : new HeldBody(1 << 20, 1 << 19, 200 + i);
            held.add(body);
            streaming.add(upload(token, "streaming-" + i + ".png", body));
        }
        for (HeldBody body : held) {
            body.awaitHeld();
        }
        Poll.until(
                BOUND,
                "three multipart uploads in progress",
                () -> s3.uploadsInProgress(BUCKET).size() == 3);

        killNine(held, streaming);
        assertEquals(3, s3.uploadsInProgress(BUCKET).size(), "what the crash left: the multipart uploads it cut");

        long restart = System.nanoTime();
        app = PackagedApp.launch("crash-s3-restarted", root, ENV, props, "-Xmx128m");
        long listening = System.nanoTime();
        Poll.until(
                BOUND,
                "the multipart uploads of the cut uploads aborted\n" + app.log(),
                () -> s3.uploadsInProgress(BUCKET).isEmpty());
        report("s3", answered.size(), restart, listening);

        assertIntact(token, answered, s3Objects());
        assertTrue(app.log().contains("incomplete-write sweep removed 3"), app.log());

        List<HeldBody> load = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            // four multipart uploads (two of them finish, two are cut), sixteen PutObjects
            load.add(i < 4 ? new HeldBody(7 << 20, 6 << 20, 300 + i) : new HeldBody(1 << 20, 1 << 19, 300 + i));
        }
        answered.putAll(
                sigtermUnderLoad(token, load, () -> s3.uploadsInProgress(BUCKET).size() == 4));
        assertEquals(List.of(), s3.uploadsInProgress(BUCKET), "no multipart upload left\n" + app.log());
        assertIntact(token, answered, s3Objects());
    }

    private Map<String, byte[]> s3Objects() {
        Map<String, byte[]> stored = new HashMap<>();
        for (S3Object o : client.listObjectsV2(b -> b.bucket(BUCKET)).join().contents()) {
            stored.put(
                    o.key(),
                    client.getObject(b -> b.bucket(BUCKET).key(o.key()), AsyncResponseTransformer.toBytes())
                            .join()
                            .asByteArray());
        }
        return stored;
    }

    /**
     * Starts the uploads, waits until all are held mid-body (and {@code inFlight} holds), sends SIGTERM, checks that a
     * new upload is refused during the pre-shutdown delay, then lets every other one (even indices) go and holds the
     * rest past the shutdown timeout. Answers the keys and sha256 of those answered 201 (every released one); the
     * process has exited when it returns. The held ones are checked not to be answered 201.
     */
    private Map<String, String> sigtermUnderLoad(String token, List<HeldBody> bodies, BooleanSupplier inFlight)
            throws Exception {
        List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            uploads.add(upload(token, "load-" + i + ".png", bodies.get(i)));
        }
        for (HeldBody body : bodies) {
            body.awaitHeld();
        }
        Poll.until(BOUND, "every upload streaming into storage", inFlight);

        long term = System.nanoTime();
        app.process().destroy(); // SIGTERM
        // new connections from here on: the server closes idle kept-alive ones once it is shutting down
        Poll.until(BOUND, "readiness DOWN", () -> {
            try {
                return fresh().send(
                                        HttpRequest.newBuilder(app.uri("/q/health/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 503;
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        HttpResponse<String> refused = upload(
                        fresh(), token, "late.png", new HeldBody(64 * 1024, 64 * 1024, 999).released())
                .get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"code\":\"shutting_down\""), refused.body());
        long refusedAt = System.nanoTime();

        Map<String, String> answered = new HashMap<>();
        for (int i = 0; i < bodies.size(); i += 2) {
            bodies.get(i).release();
        }
        for (int i = 0; i < bodies.size(); i += 2) {
            HttpResponse<String> created = uploads.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertEquals(201, created.statusCode(), "upload " + i + " fits in the shutdown timeout: " + created.body());
            assertEquals(bodies.get(i).sha256(), JsonFields.field(created.body(), "sha256"));
            answered.put(JsonFields.field(created.body(), "key"), bodies.get(i).sha256());
        }
        long finished = System.nanoTime();

        assertTrue(
                app.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS),
                "the process ends at the timeout\n" + app.log());
        long exited = System.nanoTime();
        assertEquals(143, app.process().exitValue(), "the JVM's normal end on SIGTERM (128+15)\n" + app.log());
        bodies.forEach(HeldBody::release);
        for (int i = 1; i < bodies.size(); i += 2) {
            try {
                HttpResponse<String> answer = uploads.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
                assertNotEquals(
                        201, answer.statusCode(), "upload " + i + " was held past the timeout: " + answer.body());
            } catch (ExecutionException expected) {
                // the connection closed under the client: the usual outcome
            }
        }
        Matcher aborted = Pattern.compile("shutdown: (\\d+) upload\\(s\\) still streaming")
                .matcher(app.log());
        System.out.printf(
                "CrashAndShutdownIT SIGTERM with %d uploads in flight: 503 shutting_down %d ms after SIGTERM;"
                        + " %d released uploads answered 201 %d ms after SIGTERM; exit %d ms after SIGTERM; aborted at stop: %s%n",
                bodies.size(),
                (refusedAt - term) / 1_000_000,
                answered.size(),
                (finished - term) / 1_000_000,
                (exited - term) / 1_000_000,
                aborted.find() ? aborted.group(1) : "none (each cut upload aborted itself)");
        return answered;
    }

    /** Uploads bodies of these sizes one after the other, each answered 201; answers each stored key and sha256. */
    private Map<String, String> finishSome(String token, List<Integer> sizes) throws Exception {
        Map<String, String> answered = new HashMap<>();
        for (int i = 0; i < sizes.size(); i++) {
            HeldBody body = new HeldBody(sizes.get(i), sizes.get(i), i).released();
            HttpResponse<String> created =
                    upload(token, "done-" + i + ".png", body).get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertEquals(201, created.statusCode(), created.body());
            assertEquals(body.sha256(), JsonFields.field(created.body(), "sha256"));
            answered.put(JsonFields.field(created.body(), "key"), body.sha256());
        }
        return answered;
    }

    /** SIGKILL, then the held bodies go on so that their clients see the connection gone; none was answered 201. */
    private void killNine(List<HeldBody> held, List<CompletableFuture<HttpResponse<String>>> streaming)
            throws Exception {
        app.process().destroyForcibly(); // SIGKILL on Linux
        assertTrue(app.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the process died");
        assertEquals(137, app.process().exitValue(), "killed by SIGKILL (128+9)");
        held.forEach(HeldBody::release);
        for (CompletableFuture<HttpResponse<String>> f : streaming) {
            try {
                HttpResponse<String> answer = f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                assertNotEquals(201, answer.statusCode(), answer.body());
            } catch (ExecutionException expected) {
                // the connection died with the process
            }
        }
    }

    /**
     * Every upload answered 201 is whole in storage and in its stored metadata (and through the service while it
     * runs), and under
     * {@code uploads/} there is nothing else: no object of an upload cut by the kill.
     */
    private void assertIntact(String token, Map<String, String> answered, Map<String, byte[]> stored) throws Exception {
        Set<String> expected = new TreeSet<>();
        for (Map.Entry<String, String> upload : answered.entrySet()) {
            String key = upload.getKey();
            expected.add(key);
            expected.add(key.substring(0, key.lastIndexOf('/') + 1) + "metadata.json");
            assertTrue(stored.containsKey(key), key + " is stored");
            assertEquals(upload.getValue(), Samples.sha256(stored.get(key)), key + " is intact");
            String metadata = new String(
                    stored.get(key.substring(0, key.lastIndexOf('/') + 1) + "metadata.json"), StandardCharsets.UTF_8);
            assertEquals(upload.getValue(), JsonFields.field(metadata, "sha256"), metadata);
            if (!app.process().isAlive()) {
                continue;
            }
            String id = key.split("/")[2];
            HttpResponse<String> meta = http.send(
                    HttpRequest.newBuilder(app.uri("/api/v1/uploads/" + id))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, meta.statusCode(), meta.body());
            assertEquals(upload.getValue(), JsonFields.field(meta.body(), "sha256"), meta.body());
        }
        Set<String> uploads = stored.keySet().stream()
                .filter(k -> k.startsWith("uploads/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, uploads, "the answered uploads and nothing of the cut ones");
    }

    private CompletableFuture<HttpResponse<String>> upload(String token, String filename, HeldBody body) {
        return upload(http, token, filename, body);
    }

    /** A client with no connection yet. */
    private static HttpClient fresh() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private CompletableFuture<HttpResponse<String>> upload(
            HttpClient http, String token, String filename, HeldBody body) {
        HttpRequest request = HttpRequest.newBuilder(app.uri("/api/v1/uploads?filename=" + filename))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> body), body.size))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void report(String backend, int answered, long restart, long listening) {
        long now = System.nanoTime();
        Function<Long, String> ms = n -> (n / 1_000_000) + " ms";
        System.out.printf(
                "CrashAndShutdownIT %s: %d uploads answered 201 before kill -9, %d cut mid-body; restart to listening %s,"
                        + " leftovers gone %s after listening%n",
                backend, answered, STREAMING, ms.apply(listening - restart), ms.apply(now - listening));
    }
}
