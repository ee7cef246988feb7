package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.support.Poll;
import io.reelvault.support.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Several replicas on one storage: three packaged applications (processes of their own) share one bucket or one
 * storage root ({@link ReplicasIT}: s3proxy and Redis; {@link LocalReplicasIT}: one local root), and the pipeline
 * sends one generation's clips, thumbnails and {@code complete} to all three at once. Every answer must be true of the
 * stored {@code metadata.json} afterwards: no replica's read-modify-write of it may overwrite another's (a lost clip
 * record, or {@code pending} written over {@code completed}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReplicasContract {
    /** The packaged application; {@code -Dreplicas.jar=} runs another build (e.g. the code before a fix). */
    static final Path JAR = Path.of(System.getProperty("replicas.jar", "target/quarkus-app/quarkus-run.jar"));

    static final int REPLICAS = 3;
    static final Duration BOUND = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

    final List<App> apps = new ArrayList<>();

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    final String token = ItKeys.pipelineToken("replicas-pipeline");

    /** Starts the shared storage (and whatever else the replicas share) and answers the replicas' settings for it. */
    abstract Map<String, String> startStorage(Path dir) throws Exception;

    abstract void stopStorage() throws Exception;

    /** The stored object's bytes. */
    abstract byte[] object(String key) throws Exception;

    abstract boolean exists(String key) throws Exception;

    /** Settings of this suite on top of the shared ones (which turn rate limits and usage scans off). */
    void configure(Map<String, String> config) {
        // none
    }

    @BeforeAll
    void startThreeReplicas() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/replicas-it")).toAbsolutePath();
        Map<String, String> config = new HashMap<>(startStorage(dir));
        config.put(
                "mp.jwt.verify.publickey.location",
                ItKeys.publicKeyFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", ItKeys.ISSUER);
        config.put("mp.jwt.verify.audiences", ItKeys.AUDIENCE);
        config.put("quarkus.http.port", "0"); // a free port, read back from the log
        config.put(
                "quarkus.management.port", "0"); // should the management interface be on: three replicas, three ports
        config.put("reelvault.media.enabled", "false");
        config.put("reelvault.usage.enabled", "false");
        config.put("reelvault.lifecycle.enabled", "false");
        config.put("reelvault.rate-limits.enabled", "false");
        configure(config);
        List<Process> starting = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            Path log = Files.createTempFile(dir, "replica-" + i + "-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
            config.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("-jar", JAR.toString()));
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            PackagedApp.withoutOwnSettings(pb);
            starting.add(pb.start());
            logs.add(log);
        }
        for (int i = 0; i < REPLICAS; i++) {
            apps.add(App.await(starting.get(i), logs.get(i)));
        }
    }

    @AfterAll
    void stopAll() throws Exception {
        apps.forEach(a -> a.process.destroyForcibly());
        stopStorage();
    }

    @Test
    @Timeout(300)
    void clipsAndThumbnailsSentToThreeReplicasAtOnceAreAllRecorded() throws Exception {
        String id = createGeneration("every clip on three replicas");
        int clips = 24;
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (int n = 1; n <= clips; n++) {
            calls.add(put(apps.get(n % REPLICAS), id, "clips", n, clip(n)));
            calls.add(put(apps.get((n + 1) % REPLICAS), id, "thumbnails", n, Samples.jpeg(2000 + n)));
        }
        for (HttpResponse<String> answer : runTogether(calls)) {
            assertEquals(200, answer.statusCode(), answer.uri() + ": " + answer.body());
        }

        JsonNode meta = storedMetadata(id);
        assertEquals("pending", meta.get("status").asText());
        for (int n = 1; n <= clips; n++) {
            JsonNode clip = clipRecord(meta, n);
            assertNotNull(clip, "clip " + n + " is recorded: " + meta);
            assertEquals(Samples.sha256(clip(n)), clip.get("sha256").asText(), "clip " + n + ": " + meta);
            assertEquals("uploaded", clip.get("thumbnail").asText(), "clip " + n + "'s thumbnail: " + meta);
        }

        List<Callable<HttpResponse<String>>> completes = new ArrayList<>();
        for (App app : apps) {
            completes.add(() ->
                    send(app, "POST", "/api/v1/generations/" + id + "/complete", HttpRequest.BodyPublishers.noBody()));
        }
        for (HttpResponse<String> answer : runTogether(completes)) {
            assertEquals(200, answer.statusCode(), answer.uri() + ": " + answer.body());
        }
        JsonNode done = storedMetadata(id);
        assertEquals("completed", done.get("status").asText(), done.toString());
        assertEquals(clips, done.get("clips").size(), done.toString());
        for (int n = 1; n <= clips; n++) {
            assertEquals(
                    Samples.sha256(clip(n)), clipRecord(done, n).get("sha256").asText(), "clip " + n + ": " + done);
            assertEquals("uploaded", clipRecord(done, n).get("thumbnail").asText(), "clip " + n + ": " + done);
        }
    }

    /**
     * {@code complete} sent to every replica while clips still arrive on all of them: whatever each request was
     * answered stays true. A clip answered 200 is in the final metadata with its SHA-256 and is stored; a clip answered
     * 409 (the generation was completed first) is neither; the status stays {@code completed} once one complete said so.
     */
    @Test
    @Timeout(300)
    void completeRacingClipsOnThreeReplicasKeepsEveryAnswerTrue() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = createGeneration("complete racing clips, round " + round);
            assertEquals(200, put(apps.get(0), id, "clips", 1, clip(1)).call().statusCode());
            int clips = 18;
            List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
            for (int n = 2; n <= clips; n++) {
                calls.add(put(apps.get(n % REPLICAS), id, "clips", n, clip(n)));
                if (n % 6 == 0) {
                    App app = apps.get((n / 6) % REPLICAS);
                    calls.add(() -> send(
                            app,
                            "POST",
                            "/api/v1/generations/" + id + "/complete",
                            HttpRequest.BodyPublishers.noBody()));
                }
            }
            List<HttpResponse<String>> answers = runTogether(calls);
            JsonNode meta = storedMetadata(id);
            boolean completed = false;
            for (HttpResponse<String> answer : answers) {
                String path = answer.uri().getPath();
                if (path.endsWith("/complete")) {
                    assertEquals(200, answer.statusCode(), path + ": " + answer.body());
                    completed = true;
                    continue;
                }
                int n = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
                JsonNode record = clipRecord(meta, n);
                String key = "generations/" + id + "/clips/" + String.format("clip_%03d.mp4", n);
                if (answer.statusCode() == 200) {
                    assertNotNull(record, "clip " + n + " was answered 200, so it is recorded: " + meta);
                    assertEquals(Samples.sha256(clip(n)), record.get("sha256").asText(), "clip " + n + ": " + meta);
                    assertEquals(Samples.sha256(clip(n)), Samples.sha256(object(key)), "clip " + n + " is stored");
                } else {
                    assertEquals(409, answer.statusCode(), path + ": " + answer.body());
                    assertEquals(null, record, "clip " + n + " was refused, so it is not recorded: " + meta);
                    assertFalse(exists(key), "clip " + n + " was refused, so it is not stored");
                }
            }
            assertTrue(completed);
            assertEquals("completed", meta.get("status").asText(), "a completed generation stays completed: " + meta);
        }
    }

    private String createGeneration(String prompt) throws Exception {
        HttpResponse<String> created = send(
                apps.get(0),
                "POST",
                "/api/v1/generations?reuse=false",
                HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + " " + System.nanoTime() + "\"}"));
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).get("generation_id").asText();
    }

    private static byte[] clip(int n) {
        return Samples.mp4(3000 + n);
    }

    private Callable<HttpResponse<String>> put(App app, String id, String what, int n, byte[] body) {
        return () -> send(
                app,
                "PUT",
                "/api/v1/generations/" + id + "/" + what + "/" + n,
                HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private HttpResponse<String> send(App app, String method, String path, HttpRequest.BodyPublisher body)
            throws Exception {
        String type = path.contains("/clips/")
                ? "video/mp4"
                : path.contains("/thumbnails/") ? "image/jpeg" : "application/json";
        return http.send(
                HttpRequest.newBuilder(app.uri(path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", type)
                        .method(method, body)
                        .timeout(BOUND)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs every call at once (all released together) and answers their responses in order. */
    static List<HttpResponse<String>> runTogether(List<Callable<HttpResponse<String>>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (Callable<HttpResponse<String>> call : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get(BOUND.toSeconds(), TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private JsonNode storedMetadata(String id) throws Exception {
        return JSON.readTree(object("generations/" + id + "/metadata.json"));
    }

    private static JsonNode clipRecord(JsonNode meta, int n) {
        for (JsonNode clip : meta.path("clips")) {
            if (clip.get("clip").asInt() == n) {
                return clip;
            }
        }
        return null;
    }

    /** One replica: the packaged application in a process of its own, on a free port. */
    record App(Process process, Path logFile, int port) {
        static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:\\s]+:(\\d+)");

        static App await(Process process, Path log) {
            int[] port = {0};
            try {
                Poll.until(BOUND, "the replica listening (" + log + ")", () -> {
                    assertTrue(process.isAlive(), "the replica ended at start-up: " + read(log));
                    Matcher m = LISTENING.matcher(read(log));
                    if (m.find()) {
                        port[0] = Integer.parseInt(m.group(1));
                    }
                    return port[0] > 0;
                });
            } catch (AssertionError | RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
            return new App(process, log, port[0]);
        }

        URI uri(String path) {
            return URI.create("http://localhost:" + port + path);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
