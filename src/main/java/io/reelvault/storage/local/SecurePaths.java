package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Maps validated keys to paths under the storage root, and re-checks that the resolved path is
 * still under the root (defence in depth: {@link ObjectKey} already rejects traversal).
 */
final class SecurePaths {
    private final Path root;

    SecurePaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** The file of {@code key}; throws {@code invalid_key} if it would resolve outside the root. */
    Path resolve(ObjectKey key) {
        return under(key.value());
    }

    /**
     * The directory or file named by a relative key-like string (a prefix's folder part). Any string at all gives a
     * path under the root or {@code invalid_key}: one the file system cannot name (a NUL) too, not an
     * {@link InvalidPathException} that would surface as a 500 should a caller ever pass an unchecked string.
     */
    Path under(String relative) {
        Path p;
        try {
            p = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw new ReelvaultException(ErrorCode.INVALID_KEY, "the key is not a valid path");
        }
        if (!p.startsWith(root) || p.equals(root) && !relative.isEmpty()) {
            throw new ReelvaultException(ErrorCode.INVALID_KEY, "the key resolves outside the storage root");
        }
        return p;
    }

    /** The key of a path under the root ({@code /} separated). */
    String keyOf(Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }
}
