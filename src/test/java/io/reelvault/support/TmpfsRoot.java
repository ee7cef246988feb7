package io.reelvault.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fresh local storage root on a tmpfs of {@value #SIZE_MIB} MiB, mounted before Quarkus starts and unmounted after it
 * stopped: a real filesystem that fills up ({@code ENOSPC}). Mounting needs root, which CI has; without it the test
 * fails with a message saying so instead of skipping. The readiness minimum of free bytes is set to
 * {@value #MIN_FREE_MIB} MiB.
 */
public class TmpfsRoot implements QuarkusTestResourceLifecycleManager {
    public static final int SIZE_MIB = 8;
    public static final int MIN_FREE_MIB = 1;
    /** Where the tmpfs is mounted; static because the test reads and fills it directly. */
    public static Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory(
                    Files.createDirectories(Path.of("target")).toAbsolutePath(), "tmpfs-root-");
            run("mount", "-t", "tmpfs", "-o", "size=" + SIZE_MIB + "m", "tmpfs", root.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "reelvault.storage.local.path",
                root.toString(),
                "reelvault.storage.local.min-free",
                MIN_FREE_MIB + "M");
    }

    @Override
    public void stop() {
        if (root != null) {
            run("umount", root.toString());
            try {
                Files.deleteIfExists(root);
            } catch (IOException ignored) {
                // an empty folder under target/
            }
        }
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within 30 s");
            }
            String output = new String(p.getInputStream().readAllBytes()).trim();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + ": "
                        + output + "): the disk-full tests mount a tmpfs, which needs root (CI runs as root)");
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", List.of(command)) + " could not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
