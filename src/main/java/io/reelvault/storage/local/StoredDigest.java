package io.reelvault.storage.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The SHA-256 and the CRC32C of an object's bytes, both computed in the one pass that writes them and kept with the file
 * itself, in its extended attributes {@code user.reelvault.sha256} (64 hex characters) and {@code
 * user.reelvault.crc32c} (8 hex characters, the unsigned value; what S3 calls {@code x-amz-checksum-crc32c}). Full
 * reads check the CRC32C, which the JDK computes at memory speed, and fall back on the SHA-256 for objects that have
 * none (written before it was kept); {@link Scrubber} checks the SHA-256 (and the CRC32C where there is one). A
 * malformed attribute counts as absent: a malformed CRC32C sends a full read to the SHA-256, never around the check. It is set on the temp file before the rename that
 * publishes it, so an object and its digest appear together, and it follows the file's inode (a copy that drops
 * extended attributes, such as {@code cp} or {@code rsync} without {@code -X}, leaves objects without one: they are
 * then served unverified, never refused). Full reads compare the bytes against it ({@link LocalReads}), and
 * {@link Scrubber} checks every object. Filesystems without user extended attributes (some network filesystems) keep
 * none: {@link #supported} says so once at start-up.
 */
final class StoredDigest {
    /** The attribute's name without the {@code user.} namespace, which Java adds on Linux. */
    static final String ATTRIBUTE = "reelvault.sha256";

    /** The CRC32C attribute's name, as {@link #ATTRIBUTE}. */
    static final String CRC32C_ATTRIBUTE = "reelvault.crc32c";

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CRC_HEX = Pattern.compile("[0-9a-f]{8}");
    /** Room for a well-formed CRC32C attribute and more: a longer value is malformed, whatever it starts with. */
    private static final int CRC_BUFFER = 16;

    /** What a file records: either may be absent (an older object has no CRC32C; a copied one may have neither). */
    record Recorded(Optional<String> sha256, Optional<String> crc32c) {
        static final Recorded NONE = new Recorded(Optional.empty(), Optional.empty());
    }

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

    /** Both attributes. */
    static void write(Path file, String sha256, long crc32c) throws IOException {
        UserDefinedFileAttributeView view = view(file);
        view.write(ATTRIBUTE, ByteBuffer.wrap(sha256.getBytes(StandardCharsets.US_ASCII)));
        view.write(CRC32C_ATTRIBUTE, ByteBuffer.wrap(crc32cHex(crc32c).getBytes(StandardCharsets.US_ASCII)));
    }

    /** Sets (or replaces) only the CRC32C attribute, given as written: any text, for tests of a damaged attribute. */
    static void writeCrc32c(Path file, String value) throws IOException {
        view(file).write(CRC32C_ATTRIBUTE, ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The attribute form of a CRC32C value: 8 lower-case hex characters of the unsigned value. */
    static String crc32cHex(long crc32c) {
        return HexFormat.of().toHexDigits((int) crc32c); // the low 32 bits, 8 digits (String.format costs 1 us a read)
    }

    /** Both recorded values, from one listing of the file's attributes. */
    static Recorded readAll(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Recorded.NONE;
        }
        List<String> names = view.list();
        return new Recorded(
                names.contains(ATTRIBUTE) ? value(view, ATTRIBUTE, HEX) : Optional.empty(),
                names.contains(CRC32C_ATTRIBUTE) ? value(view, CRC32C_ATTRIBUTE, CRC_HEX) : Optional.empty());
    }

    /**
     * What a full read checks ({@link VerifiedRead}): the CRC32C alone when the file has a well-formed one, from one
     * read of that attribute (one {@code open}, {@code fgetxattr} and {@code close}: {@link #readAll} lists the
     * attributes and sizes each first, ten system calls for the two); else both, as {@link #readAll} finds them (an
     * older object without a CRC32C, a malformed one, a filesystem without user attributes).
     */
    static Recorded forRead(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return Recorded.NONE;
        }
        ByteBuffer value = ByteBuffer.allocate(CRC_BUFFER);
        try {
            view.read(CRC32C_ATTRIBUTE, value);
        } catch (FileSystemException absentOrOther) { // ENODATA, ERANGE, ENOTSUP...: the listing decides, as always
            return readAll(file);
        }
        value.flip();
        if (value.remaining() != 8) {
            return readAll(file);
        }
        for (int i = 0; i < 8; i++) {
            byte b = value.get(i);
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return readAll(file);
            }
        }
        return new Recorded(
                Optional.empty(),
                Optional.of(StandardCharsets.US_ASCII.decode(value).toString()));
    }

    private static Optional<String> value(UserDefinedFileAttributeView view, String name, Pattern form)
            throws IOException {
        ByteBuffer value = ByteBuffer.allocate(Math.min(view.size(name), 128));
        view.read(name, value);
        String hex = StandardCharsets.US_ASCII.decode(value.flip()).toString();
        return form.matcher(hex).matches() ? Optional.of(hex) : Optional.empty();
    }

    /** The recorded digest; empty when the file has none (written before digests were kept, or copied without them). */
    static Optional<String> read(Path file) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null || !view.list().contains(ATTRIBUTE)) {
            return Optional.empty();
        }
        return value(view, ATTRIBUTE, HEX);
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
