package io.reelvault.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * External tools the tests run (redis-server, ffmpeg, ffprobe, promtool): found on the {@code PATH}, never at a
 * distribution's fixed path, and a missing one fails the test with what to install (.ci/run installs them all), so
 * that a machine without it never turns a test into a skip that passes.
 */
public final class Tools {
    private Tools() {}

    /** The executable {@code name} on the PATH; an {@link AssertionError} naming {@code install} when there is none. */
    public static Path onPath(String name, String install) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(
                name + " is not on the PATH: install " + install + ", as .ci/run does; these tests do not skip");
    }

    /**
     * Runs {@code command} (its first word looked up on the PATH) with its output and errors going to files, and
     * waits at most {@code within}: a tool that hangs is killed and fails the test, instead of blocking the build on a
     * pipe read that never ends (reading a pipe before {@code waitFor} waits for the tool without any deadline).
     *
     * @return the standard output; the test fails when the tool does not exit 0
     */
    public static byte[] output(Duration within, String install, String... command) {
        List<String> words = new ArrayList<>(List.of(command));
        words.set(0, onPath(command[0], install).toString());
        try {
            Path out = Files.createTempFile("tool-", ".out");
            Path err = Files.createTempFile("tool-", ".err");
            try {
                Process process = new ProcessBuilder(words)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(
                            String.join(" ", command) + " did not finish within " + within + ": " + text(err));
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                            + text(out) + text(err));
                }
                return Files.readAllBytes(out);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + command[0], e);
        }
    }

    /** Lenient: a tool's messages are not always valid UTF-8. */
    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
