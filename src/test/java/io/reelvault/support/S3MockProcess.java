package io.reelvault.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Adobe's S3Mock ({@code com.adobe.testing:s3mock:5.2.0}, the {@code exec} jar that the build copies to
 * {@code target/s3mock/s3mock-exec.jar}) in its own process: a Spring Boot application, which cannot run
 * inside the Quarkus test JVM. It implements bucket lifecycle and versioning, which s3proxy does not;
 * it checks no signatures. Starts in about 5 s on a free loopback port with its files in a temporary
 * folder; {@link #close()} kills it.
 */
public final class S3MockProcess implements AutoCloseable {
    public static final Path JAR = Path.of("target/s3mock/s3mock-exec.jar");
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Process process;
    private final int port;
    private final Path log;
    /** Kills S3Mock if the test JVM ends without {@link #close()} (a crash or a timeout in a test). */
    private final Thread killOnExit;

    private S3MockProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "s3mock-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts S3Mock with {@code buckets} created, and waits until it answers.
     *
     * @throws IllegalStateException if the jar is missing (run the build's generate-test-resources phase),
     *                               or S3Mock exits or does not answer within 60 s; its log is in the message
     */
    public static S3MockProcess start(String... buckets) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the maven-dependency-plugin copies it in"
                    + " generate-test-resources (./mvnw test-compile)");
        }
        Path dir = Files.createDirectories(Path.of("target")).resolve("s3mock-" + System.nanoTime());
        Files.createDirectories(dir);
        Path log = dir.resolve("s3mock.log");
        int httpPort = freePort();
        int httpsPort = freePort();
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-jar",
                        JAR.toString(),
                        "--http.port=" + httpPort,
                        "--server.port=" + httpsPort,
                        "--server.address=127.0.0.1",
                        "--com.adobe.testing.s3mock.store.root="
                                + dir.resolve("data").toAbsolutePath(),
                        "--com.adobe.testing.s3mock.store.initial-buckets=" + String.join(",", buckets))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process process = pb.start();
        S3MockProcess mock = new S3MockProcess(process, httpPort, log);
        try {
            mock.awaitAnswer(buckets.length > 0 ? buckets[0] : "");
        } catch (RuntimeException | InterruptedException e) {
            mock.close();
            throw e;
        }
        return mock;
    }

    private void awaitAnswer(String bucket) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpURLConnection c = (HttpURLConnection)
                        endpoint().resolve("/" + bucket).toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(5000);
                int status = c.getResponseCode();
                c.disconnect();
                if (status < 500) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Mock did not answer within 60 s:\n" + logText());
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A path-style client; S3Mock accepts any credentials. */
    public S3AsyncClient client() {
        return S3AsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder())
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("s3mock", "s3mock")))
                .build();
    }

    /** S3Mock's own output so far. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
