package io.reelvault.storage.local;

import io.reelvault.common.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads every object under a local storage root and compares its bytes with the SHA-256 recorded when it was written
 * ({@link StoredDigest}): the {@code scrub} command, and the optional scheduled scrub. Read-only and without the
 * store itself (which would clean the temp folder at open), so it runs beside a running service on the same root.
 * One object at a time, in key order, in constant memory. An object replaced or deleted while it is read is skipped
 * (its new bytes have a digest of their own); one without a recorded digest (written before digests were kept, or
 * copied without extended attributes) is counted as unverifiable, never as damaged. The CRC32C that full reads check
 * ({@link VerifiedRead}) is computed in the same pass and compared too where the object has one: an object whose bytes
 * match their SHA-256 but not their CRC32C (the attribute damaged) is listed as damaged, with both CRC32C values given
 * as {@code crc32c:} and 8 hex characters, since full reads of it fail; one with a CRC32C and no SHA-256 is checked by
 * its CRC32C.
 */
public final class Scrubber {
    private static final int CHUNK = 1 << 20;

    /** One object whose bytes no longer match their recorded digest (or CRC32C, prefixed {@code crc32c:}). */
    public record Damaged(String key, String expected, String actual) {}

    /** What a scrub found: objects read and verified, objects without a digest, bytes read, and the damaged ones' count. */
    public record Summary(long verified, long unverifiable, long bytes, long damaged) {}

    private final SecurePaths paths;

    public Scrubber(Path root) {
        this.paths = new SecurePaths(root);
    }

    /**
     * Checks every object.
     *
     * @param damaged told of each damaged object as it is found
     * @throws IOException when the root cannot be read (a missing root is an empty one)
     */
    public Summary run(Consumer<Damaged> damaged) throws IOException {
        SortedWalk walk = new SortedWalk(paths, "", "", null);
        MessageDigest sha = Sha256.newDigest();
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long verified = 0;
        long unverifiable = 0;
        long bytes = 0;
        long bad = 0;
        SortedWalk.Entry e;
        while ((e = walk.next()) != null) {
            Path path = paths.root().resolve(e.key());
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                StoredDigest.Recorded expected = StoredDigest.readAll(path);
                Optional<BasicFileAttributes> now = ObjectFiles.attributes(path);
                if (now.isEmpty()
                        || !Objects.equals(now.get().fileKey(), e.attributes().fileKey())) {
                    continue; // replaced or deleted since it was listed
                }
                if (expected.sha256().isEmpty() && expected.crc32c().isEmpty()) {
                    unverifiable++;
                    continue;
                }
                sha.reset();
                crc.reset();
                long size = now.get().size();
                for (long pos = 0; pos < size; ) {
                    buffer.clear().limit((int) Math.min(CHUNK, size - pos));
                    int n = channel.read(buffer, pos);
                    if (n < 0) {
                        break; // shorter than its size: the digest differs
                    }
                    buffer.flip();
                    crc.update(buffer.duplicate());
                    sha.update(buffer);
                    pos += n;
                }
                bytes += size;
                String actual = Sha256.hex(sha);
                String actualCrc = StoredDigest.crc32cHex(crc.getValue());
                Damaged found = null;
                if (expected.sha256().isPresent()
                        && !actual.equals(expected.sha256().get())) {
                    found = new Damaged(e.key(), expected.sha256().get(), actual);
                } else if (expected.crc32c().isPresent()
                        && !actualCrc.equals(expected.crc32c().get())) {
                    found = new Damaged(
                            e.key(),
                            VerifiedRead.CRC32C_PREFIX + expected.crc32c().get(),
                            VerifiedRead.CRC32C_PREFIX + actualCrc);
                }
                if (found == null) {
                    verified++;
                } else {
                    bad++;
                    damaged.accept(found);
                }
            } catch (NoSuchFileException gone) {
                // deleted since it was listed
            }
        }
        return new Summary(verified, unverifiable, bytes, bad);
    }
}
