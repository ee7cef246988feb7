package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisServer;
import io.reelvault.support.S3ProxyServer;
import io.reelvault.support.Samples;
import io.reelvault.support.Tus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A tus upload survives the replica that was writing it (issue 16, item 3): two packaged replicas share one storage (a
 * local root; or a bucket of s3proxy and one Redis), an upload is created on A and a PATCH streams its bytes to A, held
 * by the test at a known byte; A is killed ({@code SIGKILL}, {@link Process#destroyForcibly()}: no shutdown hook, no
 * release of anything). Replica B then answers {@code HEAD} with a prefix of what A received (local: every byte A
 * wrote, the file is the state, its last batch being filled is lost; S3: the parts A had sent, recorded as each was
 * answered, its tail in memory is lost), the dead A's lock does not keep
 * B out for good (local: the kernel dropped A's {@code fcntl} lock; S3: A's Redis lease lapses after its ttl, 3 s
 * here), B takes the rest from that offset and publishes: the stored object's SHA-256 is the source's.
 */
class TusReplicasIT {
    static final Duration BOUND = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();
    /** The S3 backend's part size here (the smallest S3 allows). */
    static final int PART = 5 << 20;
    /** The upload: a PNG of 30 MiB. */
    static final int SIZE = 30 << 20;
    /** Where the client stops sending before the kill: three parts and a half. */
    static final int HELD_AT = 3 * PART + PART / 2;

    static final long SEED = 1616;
    static final String BUCKET = "reelvault-tus-replicas-it";

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    final List<ReplicasContract.App> apps = new ArrayList<>();
    S3ProxyServer s3;
    S3AsyncClient client;
    RedisServer redis;

    @AfterEach
    void stop() throws Exception {
        apps.forEach(a -> a.process().destroyForcibly());
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    @Timeout(300)
    void localReplicaKilledMidPatchLeavesItsBytesAndNoLockAndTheOtherFinishesTheUpload() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/tus-replicas-it")).toAbsolutePath();
        Path root = Files.createTempDirectory(dir, "shared-root-");
        Map<String, String> config = new HashMap<>(Map.of(
                "reelvault.storage.use-local", "true",
                "reelvault.storage.local.path", root.toString(),
                "reelvault.storage.local.signing-key", "tus-replicas-it-signing-key-0123456789abcdef"));
        // the file is the state: every byte A wrote is there after its death (the page cache outlives the process); A
        // writes a streaming PATCH in batches of 1 MiB, so the last one it was filling (and the few KiB the client may
        // keep) are not there while the body is held, and are lost with A
        killMidPatchAndResume(
                "local", config, HELD_AT - (1 << 20) - (64 << 10), -1, false, key -> read(root.resolve(key)));
    }

    @Test
    @Timeout(300)
    void s3ReplicaKilledMidPatchLeavesItsPartsAndALeaseThatLapsesAndTheOtherFinishesTheUpload() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/tus-replicas-it")).toAbsolutePath();
        s3 = new S3ProxyServer(Files.createTempDirectory(dir, "s3proxy-")).start();
        s3.createBucket(BUCKET);
        client = s3.client();
        redis = RedisServer.launch();
        Map<String, String> config = new HashMap<>(s3.serviceConfig(BUCKET));
        config.put("reelvault.redis.url", redis.url());
        config.put("reelvault.redis.timeout", "2s"); // a loaded machine misses 150 ms, and a lease is then refused
        config.put("reelvault.redis.lock-ttl", "3s"); // how long the dead A's lease keeps B out
        config.put("reelvault.storage.s3.part-size", Integer.toString(PART));
        config.put("reelvault.storage.s3.buffer-budget", "21M");
        // the parts A sent are recorded as they are sent; the tail it held in memory is lost with it
        killMidPatchAndResume(
                "s3",
                config,
                3L * PART,
                3L * PART,
                true,
                key -> client.getObject(b -> b.bucket(BUCKET).key(key), AsyncResponseTransformer.toBytes())
                        .join()
                        .asByteArray());
    }

    /**
     * @param reported  what B's HEAD reports, at least, while A's PATCH is held (the client may keep its last few KiB)
     * @param exact     what B's HEAD must answer once A is dead; -1: anything from what it reported to what A received
     * @param leased    the dead A's lock may keep B out for a while (a Redis lease until its ttl)
     * @param object    the stored object's bytes
     */
    private void killMidPatchAndResume(
            String backend,
            Map<String, String> config,
            long reported,
            long exact,
            boolean leased,
            Function<String, byte[]> object)
            throws Exception {
        startReplicas(config, 2);
        ReplicasContract.App a = apps.get(0);
        ReplicasContract.App b = apps.get(1);
        String token = ItKeys.token("tus-replicas-" + backend);
        byte[] source = new HeldBody(SIZE, SIZE, SEED).readAllBytes(); // the bytes HeldBody sends, for the resume
        HeldBody held = new HeldBody(SIZE, HELD_AT, SEED);
        String sha256 = held.sha256();
        assertEquals(Samples.sha256(source), sha256);

        HttpResponse<String> created = http.send(
                tus(a, "/api/v1/tus/", token)
                        .header("Upload-Length", Integer.toString(SIZE))
                        .header("Upload-Metadata", Tus.metadata("filename", "render.png", "filetype", "image/png"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        String path = URI.create(created.headers().firstValue("Location").orElseThrow())
                .getPath();

        CompletableFuture<HttpResponse<String>> patchOnA = http.sendAsync(
                tus(a, path, token)
                        .header("Upload-Offset", "0")
                        .header("Content-Type", "application/offset+octet-stream")
                        .method(
                                "PATCH",
                                HttpRequest.BodyPublishers.fromPublisher(
                                        HttpRequest.BodyPublishers.ofInputStream(() -> held), SIZE))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        held.awaitHeld();
        // B sees A's progress while A still writes: the state is in the shared storage, not in A
        long[] seen = {0};
        Poll.until(
                BOUND,
                backend + ": B's HEAD reports at least " + reported + " bytes stored by A of the " + HELD_AT + " sent\n"
                        + log(a),
                () -> (seen[0] = unchecked(() -> offset(b, path, token))) >= reported);

        a.process().destroyForcibly(); // SIGKILL
        assertTrue(a.process().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "A is dead");
        held.release();
        try {
            HttpResponse<String> cut = patchOnA.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertNotEquals(204, cut.statusCode(), "A died before the PATCH's end: " + cut.body());
        } catch (ExecutionException expected) {
            // the connection died with A
        }

        long offset = offset(b, path, token);
        assertTrue(
                offset >= seen[0] && offset <= HELD_AT,
                backend + ": B's HEAD after A's death (" + offset + ") keeps what it reported before (" + seen[0]
                        + ") and is within what A received");
        if (exact >= 0) {
            assertEquals(exact, offset, backend + ": B's HEAD after A's death");
        }

        int locked = 0;
        long start = System.nanoTime();
        HttpResponse<String> done;
        while (true) {
            done = http.send(
                    tus(b, path, token)
                            .header("Upload-Offset", Long.toString(offset))
                            .header("Content-Type", "application/offset+octet-stream")
                            .method(
                                    "PATCH",
                                    HttpRequest.BodyPublishers.ofByteArray(
                                            Arrays.copyOfRange(source, (int) offset, SIZE)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (done.statusCode() != 423) {
                break;
            }
            assertTrue(done.body().contains("\"code\":\"upload_locked\""), done.body());
            locked++;
            assertTrue(
                    System.nanoTime() - start < BOUND.toNanos(),
                    backend + ": the dead A's lock still keeps B out\n" + log(b));
            Thread.sleep(200);
        }
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertEquals(204, done.statusCode(), done.body() + "\n" + log(b));
        assertEquals(
                Integer.toString(SIZE),
                done.headers().firstValue("Upload-Offset").orElse(null));
        if (!leased) {
            assertEquals(0, locked, "the kernel dropped the dead A's file lock: B is never locked out");
        }
        String resource = done.headers().firstValue("Reelvault-Resource").orElse(null);
        assertNotNull(resource, "the finished upload names what it became");

        HttpResponse<String> meta = http.send(
                HttpRequest.newBuilder(b.uri(URI.create(resource).getPath()))
                        .header("Authorization", "Bearer " + token)
                        .timeout(BOUND)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, meta.statusCode(), meta.body());
        JsonNode upload = JSON.readTree(meta.body());
        assertEquals(sha256, upload.get("sha256").asText(), "the upload's metadata carries the source's SHA-256");
        assertEquals(
                sha256,
                Samples.sha256(object.apply(upload.get("key").asText())),
                "the stored object is the source, byte for byte");
        assertEquals(
                Integer.toString(SIZE),
                headOf(b, path, token).headers().firstValue("Upload-Offset").orElse(null));
        System.out.printf(
                "TusReplicasIT %s: A killed with %d of %d bytes sent; B's HEAD %d; B locked out %d times (%d ms)"
                        + " before it resumed; published, sha256 equal%n",
                backend, HELD_AT, SIZE, offset, locked, waited);
    }

    private void startReplicas(Map<String, String> storage, int count) throws Exception {
        Path dir = Files.createDirectories(Path.of("target/tus-replicas-it")).toAbsolutePath();
        Map<String, String> config = new HashMap<>(storage);
        config.put(
                "mp.jwt.verify.publickey.location",
                ItKeys.publicKeyFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", ItKeys.ISSUER);
        config.put("mp.jwt.verify.audiences", ItKeys.AUDIENCE);
        config.put("quarkus.http.port", "0");
        config.put("quarkus.management.port", "0");
        config.put("reelvault.media.enabled", "false");
        config.put("reelvault.usage.enabled", "false");
        config.put("reelvault.lifecycle.enabled", "false");
        config.put("reelvault.rate-limits.enabled", "false");
        // the test holds A's body as long as it likes: an idle body is cut by the service (and what arrived kept),
        // which would end the PATCH before the kill and hide what a crash leaves
        config.put("reelvault.uploads.idle-timeout", "10m");
        List<Process> starting = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path log = Files.createTempFile(dir, "replica-" + (char) ('a' + i) + "-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
            config.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(List.of("-jar", ReplicasContract.JAR.toString()));
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            PackagedApp.withoutOwnSettings(pb);
            starting.add(pb.start());
            logs.add(log);
        }
        for (int i = 0; i < count; i++) {
            apps.add(ReplicasContract.App.await(starting.get(i), logs.get(i)));
        }
    }

    private static HttpRequest.Builder tus(ReplicasContract.App app, String path, String token) {
        return HttpRequest.newBuilder(app.uri(path))
                .header("Authorization", "Bearer " + token)
                .header("Tus-Resumable", "1.0.0")
                .timeout(BOUND);
    }

    private HttpResponse<String> headOf(ReplicasContract.App app, String path, String token) throws Exception {
        return http.send(
                tus(app, path, token)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long offset(ReplicasContract.App app, String path, String token) throws Exception {
        HttpResponse<String> head = headOf(app, path, token);
        assertEquals(200, head.statusCode(), "HEAD " + path + "\n" + log(app));
        return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String log(ReplicasContract.App app) {
        try {
            return Files.readString(app.logFile());
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
