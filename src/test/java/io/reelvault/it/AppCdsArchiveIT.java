package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.Poll;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The AppCDS archive that {@code ./mvnw package} writes beside the jar ({@code quarkus.package.jar.appcds.enabled}, then
 * replaced by the training run of {@code src/main/cds/train-archive.sh}, which serves requests) is one this JVM maps when the application is started as the README says, from its folder:
 * {@code java -XX:SharedArchiveFile=app-cds.jsa -jar quarkus-run.jar}. {@code -Xshare:on} turns "cannot use the
 * archive" (another JDK build, another class path, a jar changed after the archive) from a warning into a failed
 * start, so that a build whose archive is useless fails here instead of only starting slower.
 */
class AppCdsArchiveIT {
    static final Path APP_DIR = PackagedApp.JAR.getParent();
    static final String ARCHIVE = "app-cds.jsa";

    private static List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + ARCHIVE));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void theArchiveIsValidForThisJvmAndTheJarStartedFromItsFolder() throws Exception {
        assertTrue(Files.isRegularFile(APP_DIR.resolve(ARCHIVE)), "no " + ARCHIVE + " in " + APP_DIR);
        Path out = Files.createTempFile(Path.of("target"), "appcds-", ".out");
        Process p = new ProcessBuilder(java("-XX:+PrintSharedArchiveAndExit", "-jar", "quarkus-run.jar"))
                .directory(APP_DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the JVM should check the archive and exit");
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), text.lines().limit(40).toList().toString());
        assertTrue(
                text.contains("archive is valid"),
                text.lines().limit(40).toList().toString());
        // the application's own classes are in it, not only the JDK's and the libraries'
        assertTrue(text.contains("io.reelvault."), "no application class in the archive");
        // and those of a real start and of first requests (src/main/cds/train-archive.sh), not only the static init's
        // (Quarkus' own archive has none of these): a served connection, a stored upload, a verified token
        for (String loadedByRequests : List.of(
                "io.vertx.core.http.impl.Http1xServerConnection ",
                "io.reelvault.storage.local.PendingWrite ",
                "io.reelvault.api.auth.VerifiedTokens ")) {
            assertTrue(
                    text.contains(loadedByRequests),
                    "the archive lacks " + loadedByRequests + "(the training run of the build did not serve requests)");
        }
    }

    @Test
    void theServiceStartedOnTheArchiveBecomesReady() throws Exception {
        Path root = Files.createTempDirectory(
                        Files.createDirectories(Path.of("target/graceful-shutdown-it")), "appcds-storage-")
                .toAbsolutePath();
        Path log = Files.createTempFile(Path.of("target"), "appcds-service-", ".log")
                .toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(java("-Xmx64m", "-jar", "quarkus-run.jar"))
                .directory(APP_DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        PackagedApp.environment(pb, root);
        pb.environment().put("QUARKUS_SHUTDOWN_DELAY", "0S");
        Process process = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            int[] managementPort = {0};
            Poll.until(PackagedApp.BOUND, "the application ready (" + log + ")", () -> {
                assertTrue(process.isAlive(), "the application ended at start-up: " + read(log));
                if (managementPort[0] == 0) {
                    Matcher m = PackagedApp.MANAGEMENT.matcher(read(log));
                    if (!m.find()) {
                        return false;
                    }
                    managementPort[0] = Integer.parseInt(m.group(1));
                }
                return status(http, URI.create("http://localhost:" + managementPort[0] + "/q/health/ready")) == 200;
            });
            assertFalse(read(log).contains("Unable to use shared archive"), read(log));
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static int status(HttpClient http, URI uri) {
        try {
            return http.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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
