package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The packaged application in a process of its own, on a free port, with its own storage root. */
record PackagedApp(Process process, Path root, Path logFile, int port, int managementPort) {
    /** The packaged application ({@code mvn package}). */
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /** How long the application may take to start. */
    static final Duration BOUND = Duration.ofSeconds(60);

    static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:\\s]+:(\\d+)");
    static final Pattern MANAGEMENT = Pattern.compile("Management interface listening on http://[^:\\s]+:(\\d+)");

    static PackagedApp start(String name, Map<String, String> env) throws Exception {
        Path root = Files.createTempDirectory(
                        Files.createDirectories(Path.of("target/graceful-shutdown-it")), name + "-storage-")
                .toAbsolutePath();
        return launch(name, root, env, Map.of(), "-Xmx64m");
    }

    /**
     * The application on the storage root {@code root} (kept: a restart after a crash launches on the same one),
     * with {@code env} and the system properties {@code props} (an S3 backend's settings) on top of the defaults.
     */
    static PackagedApp launch(String name, Path root, Map<String, String> env, Map<String, String> props, String heap)
            throws Exception {
        Path dir = Files.createDirectories(Path.of("target/graceful-shutdown-it"));
        Path log = Files.createTempFile(dir, name + "-", ".log");
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap));
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(pb, root);
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
        return new PackagedApp(process, root, log, port[0], port[1]);
    }

    /**
     * The packaged application's environment for an IT: none of this machine's own settings, the IT key pair, the
     * storage root {@code root}, free ports (read back from the log), no media, usage or lifecycle jobs.
     */
    static void environment(ProcessBuilder pb, Path root) {
        withoutOwnSettings(pb);
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
    }

    /** Removes this machine's own service settings (MP_JWT_*, REELVAULT_*, QUARKUS_*, local storage) from the environment. */
    static void withoutOwnSettings(ProcessBuilder pb) {
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("MP_JWT")
                        || k.startsWith("REELVAULT")
                        || k.startsWith("QUARKUS")
                        || k.equals("USE_LOCAL_STORAGE")
                        || k.equals("LOCAL_STORAGE_PATH"));
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
