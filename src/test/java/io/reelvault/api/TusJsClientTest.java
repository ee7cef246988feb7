package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Generations;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official client, npm's {@code tus-js-client} 4.3.1 in Node, against {@code /api/v1/tus/} (local backend): a 200 MiB
 * file aborted at three random offsets and resumed each time from the client's fingerprint store, with an
 * {@code Upload-Checksum} (sha256) on every PATCH; then a second upload terminated by the client. The Node script and
 * its lock file are {@code src/test/node/}; {@code npm ci} installs them into {@code target/tus-node} when missing
 * (npm reaches registry.npmjs.org), so a clean clone needs nothing more than node and npm on the PATH.
 */
@QuarkusTest
class TusJsClientTest {
    @TestHTTPResource("/api/v1/tus/")
    URL endpoint;

    @Inject
    ObjectStore store;

    /** The file's size: 200 MiB (the test profile's pipeline limit is 256M). */
    int size() {
        return 200 * 1024 * 1024;
    }

    @Test
    void tusJsClientResumesThreeInterruptedUploadsWithChecksumsAndTerminates() throws Exception {
        Path dir = nodeProject();
        Path file = dir.resolve("source.bin");
        long seed = new Random().nextLong() & 0xffffffffL;
        byte[] chunk = new byte[1 << 20];
        Random bytes = new Random(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < size() / chunk.length; i++) {
                bytes.nextBytes(chunk);
                out.write(chunk);
            }
        }
        String job = "tus-js-" + seed;
        JsonNode report = runNode(
                dir,
                "tus-upload.mjs",
                file,
                seed,
                "{\"target\":\"temp\",\"job_id\":\"" + job + "\",\"filename\":\"big.tmp\","
                        + "\"filetype\":\"application/octet-stream\"}",
                Map.of("SEED", Long.toString(seed), "INTERRUPTS", "3"));

        assertEquals(3, report.path("aborts").asInt(), "aborted three times: " + report);
        assertTrue(report.path("resumes").asInt() >= 3, "resumed from the fingerprint store: " + report);
        assertTrue(report.path("patches").asInt() >= size() / (4 << 20), "PATCHes: " + report);
        assertEquals(report.path("patches").asInt(), report.path("checksummed").asInt(), "a checksum on every PATCH");
        assertTrue(report.path("statuses").path("PATCH 460").isMissingNode(), "no chunk refused: " + report);
        assertEquals(Integer.toString(size()), report.path("final_offset").asText(), report.toString());
        assertEquals(404, report.path("terminated_status").asInt(), "terminated: " + report);
        assertTrue(report.path("statuses").path("DELETE 204").asInt() == 1, "one termination: " + report);

        ObjectContent stored = store.get(ObjectKey.parse("temp/" + job + "/processing/big.tmp"), Optional.empty())
                .await()
                .atMost(Duration.ofSeconds(30));
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        stored.body().subscribe().asIterable().forEach(digest::update);
        assertEquals(
                sha256(file),
                HexFormat.of().formatHex(digest.digest()),
                "the stored object is the source (seed " + seed + ")");
    }

    /**
     * tus-js-client's {@code parallelUploads}: the file in three partial uploads sent side by side (concatenation), a
     * checksum on every PATCH, one PATCH failed on the client's side and retried, then the client's final upload that
     * joins them: the stored object is the source, and the parts are gone.
     */
    @Test
    void tusJsClientSendsPartsInParallelAndJoinsThem() throws Exception {
        Path dir = nodeProject();
        Path file = dir.resolve("parallel.bin");
        long seed = new Random().nextLong() & 0xffffffffL;
        byte[] bytes = new byte[24 * 1024 * 1024 + 12_345];
        new Random(seed).nextBytes(bytes);
        Files.write(file, bytes);
        String job = "tus-par-" + seed;
        JsonNode report = runNode(
                dir,
                "tus-parallel.mjs",
                file,
                seed,
                "{\"target\":\"temp\",\"job_id\":\"" + job + "\",\"filename\":\"parallel.tmp\","
                        + "\"filetype\":\"application/octet-stream\"}",
                Map.of("PARALLEL", "3", "FAIL_AT", "2"));

        assertEquals(3, report.path("partials").size(), "three partial uploads: " + report);
        assertEquals(4, report.path("statuses").path("POST 201").asInt(), "three parts and the final: " + report);
        assertEquals(1, report.path("injected").asInt(), report.toString());
        assertTrue(report.path("statuses").path("HEAD 200").asInt() >= 1, "resumed after a HEAD: " + report);
        assertEquals(
                report.path("patches").asInt() - 1, report.path("checksummed").asInt(), report.toString());
        assertTrue(report.path("statuses").path("PATCH 460").isMissingNode(), "no chunk refused: " + report);
        assertEquals(200, report.path("final_status").asInt(), report.toString());
        assertEquals(Integer.toString(bytes.length), report.path("final_offset").asText(), report.toString());
        assertTrue(report.path("final_concat").asText().startsWith("final;/api/v1/tus/"), report.toString());
        report.path("partial_statuses").forEach(s -> assertEquals(404, s.asInt(), "parts used up: " + report));

        ObjectContent stored = store.get(ObjectKey.parse("temp/" + job + "/processing/parallel.tmp"), Optional.empty())
                .await()
                .atMost(Duration.ofSeconds(30));
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        stored.body().subscribe().asIterable().forEach(digest::update);
        assertEquals(
                sha256(file),
                HexFormat.of().formatHex(digest.digest()),
                "the stored object is the source (seed " + seed + ")");
    }

    /**
     * Runs {@code script} (a Node script of {@link #nodeProject}) on {@code file} with the pipeline token, the tus
     * endpoint, {@code metadata} (JSON) and {@code env}; its last line of output, the report.
     */
    JsonNode runNode(Path dir, String script, Path file, long seed, String metadata, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder node = new ProcessBuilder("node", script)
                .directory(dir.toFile())
                .redirectError(dir.resolve(script.replace(".mjs", ".err")).toFile());
        node.environment().put("ENDPOINT", endpoint.toString());
        node.environment().put("TOKEN", Generations.PIPELINE);
        node.environment().put("FILE", file.toAbsolutePath().toString());
        node.environment().put("METADATA", metadata);
        node.environment().putAll(env);
        Process process = node.start();
        String out;
        try (InputStream stdout = process.getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), "the client finishes");
        assertEquals(0, process.exitValue(), "node failed (seed " + seed + "): " + out + nodeErrors(dir));
        return new ObjectMapper().readTree(out.lines().reduce((x, y) -> y).orElseThrow());
    }

    /**
     * What the Node scripts wrote to their standard error (kept in files: a child that inherits the test JVM's stderr
     * may set it non-blocking, which Surefire's fork then reads as a corrupted channel).
     */
    static String nodeErrors(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("tus-upload.err", "tus-parallel.err")) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                text.append("\n").append(name).append(":\n").append(Files.readString(file));
            }
        }
        return text.toString();
    }

    /** {@code target/tus-node}: the scripts and their lock file, with {@code npm ci} run once. */
    static Path nodeProject() throws IOException, InterruptedException {
        Path source = Path.of("src/test/node");
        Path dir = Path.of("target/tus-node");
        Files.createDirectories(dir);
        for (String name : List.of("package.json", "package-lock.json", "tus-upload.mjs", "tus-parallel.mjs")) {
            Files.copy(source.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/tus-js-client"))) {
            // not inheritIO(): Node makes the descriptors it inherits non-blocking, and Surefire's fork then fails
            // reading its command channel (stdin) with EAGAIN ("std/in stream corrupted")
            Path log = dir.resolve("npm-ci.log");
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci finishes");
            assertEquals(0, npm.exitValue(), "npm ci in " + dir + ":\n" + Files.readString(log));
        }
        return dir;
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
