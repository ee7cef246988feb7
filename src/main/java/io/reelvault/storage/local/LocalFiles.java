package io.reelvault.storage.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe filesystem steps: durable folder creation, atomic publication, deletion with pruning of the folders it
 * empties.
 */
final class LocalFiles {
    private final Path root;

    LocalFiles(Path root) {
        this.root = root;
    }

    /**
     * Renames {@code temp} over {@code target} atomically and fsyncs the target's folder so that the
     * rename survives a crash. Creates missing folders durably; retries when a concurrent delete
     * pruned a folder between its creation and the rename.
     */
    void moveIntoPlace(Path temp, Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            ensureDirectory(target.getParent());
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory(target.getParent());
                return;
            } catch (NoSuchFileException e) {
                if (attempt >= 3 || !Files.exists(temp)) {
                    throw e;
                }
            }
        }
    }

    /** Creates {@code dir} and its missing parents, fsyncing each parent that gained an entry. */
    void ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (!dir.startsWith(root) || dir.equals(root)) {
            throw new IOException("refusing to create a folder outside the storage root");
        }
        ensureDirectory(dir.getParent());
        try {
            Files.createDirectory(dir);
            fsyncDirectory(dir.getParent());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /**
     * Deletes the file, if it is there, and the folders that leaves empty up to (not including) the folder of its key's
     * area, which is never removed.
     */
    void delete(Path file) throws IOException {
        if (Files.deleteIfExists(file)) {
            pruneEmpty(file.getParent(), root.resolve(root.relativize(file).getName(0)));
        }
    }

    /** Removes now-empty folders from {@code dir} upwards, stopping below {@code stop} or at the first non-empty one. */
    private void pruneEmpty(Path dir, Path stop) {
        Path d = dir;
        while (d != null && d.startsWith(stop) && !d.equals(stop)) {
            try {
                Files.delete(d);
            } catch (IOException e) {
                return; // not empty (DirectoryNotEmptyException), already gone, or not ours to remove
            }
            d = d.getParent();
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
