package io.reelvault.storage.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The SHA-256 of an object's bytes, computed while they were written and kept with the file itself, in its extended
 * attribute {@code user.reelvault.sha256} (64 hex characters). It is set on the temp file before the rename that
 * publishes it, so an object and its digest appear together, and it follows the file's inode (a copy that drops
 * extended attributes, such as {@code cp} or {@code rsync} without {@code -X}, leaves objects without one: they are
 * then served unverified, never refused). Full reads compare the bytes against it ({@link LocalReads}), and
 * {@link Scrubber} checks every object. Filesystems without user extended attributes (some network filesystems) keep
 * none: {@link #supported} says so once at start-up.
 */
final class StoredDigest {
    /** The attribute's name without the {@code user.} namespace, which Java adds on Linux. */
    static final String ATTRIBUTE = "reelvault.sha256";

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private StoredDigest() {}

    /** Whether files in {@code dir} can carry the attribute: one written on a probe file there and read back. */
    static boolean supported(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, "xattr-", ".tmp");
            try {
                write(probe, "0".repeat(64));
                return read(probe).isPresent();
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static void write(Path file, String sha256) throws IOException {
        view(file).write(ATTRIBUTE, ByteBuffer.wrap(sha256.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The recorded digest; empty when the file has none (written before digests were kept, or copied without them). */
    static Optional<String> read(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null || !view.list().contains(ATTRIBUTE)) {
            return Optional.empty();
        }
        ByteBuffer value = ByteBuffer.allocate(Math.min(view.size(ATTRIBUTE), 128));
        view.read(ATTRIBUTE, value);
        String hex = StandardCharsets.US_ASCII.decode(value.flip()).toString();
        return HEX.matcher(hex).matches() ? Optional.of(hex) : Optional.empty();
    }

    private static UserDefinedFileAttributeView view(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new IOException("this filesystem keeps no user extended attributes");
        }
        return view;
    }
}
