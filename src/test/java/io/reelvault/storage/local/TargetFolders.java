package io.reelvault.storage.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Folders of this package's tests under {@code target/}, on the disk the build runs on (where {@code O_DIRECT} and
 * user xattrs are what the service meets, unlike a tmpfs {@code /tmp}).
 */
final class TargetFolders {
    private TargetFolders() {}

    /** A new empty folder under {@code target/} whose name starts with {@code prefix}. */
    static Path create(String prefix) throws IOException {
        Path base = Files.createDirectories(Path.of("target"));
        return Files.createTempDirectory(base.toAbsolutePath(), prefix);
    }

    /** Deletes {@code root} and everything in it. */
    static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
