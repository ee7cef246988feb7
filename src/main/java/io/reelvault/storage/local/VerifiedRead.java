package io.reelvault.storage.local;

import io.reelvault.common.Sha256;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IntegrityException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.jboss.logging.Logger;

/**
 * The check of one full read against what the object recorded when it was written ({@link StoredDigest}): its CRC32C
 * when it has one (computed at memory speed: the check costs a download next to nothing), else its SHA-256 (objects
 * written before the CRC32C was kept). Every chunk is checked before it is handed on, and the last one is handed on
 * only once the value matches; otherwise it is withheld and {@link IntegrityException} raised in its place, logged
 * with the key and both values (a CRC32C given as {@code crc32c:} and its 8 hex characters). A wrong CRC32C attribute
 * (damage to the attribute itself) fails the read the same way: never a damaged object served as complete. Constant
 * memory; chunks arrive one at a time, in order.
 */
final class VerifiedRead {
    private static final Logger LOG = Logger.getLogger(VerifiedRead.class);
    /** The prefix of a CRC32C in {@link IntegrityException}'s values. */
    static final String CRC32C_PREFIX = "crc32c:";

    private final ObjectKey key;
    private final String expected;
    /** Exactly one of the two is set. */
    private final MessageDigest sha256;

    private final CRC32C crc32c;

    private VerifiedRead(ObjectKey key, String expected, boolean crc) {
        this.key = key;
        this.expected = expected;
        this.sha256 = crc ? null : Sha256.newDigest();
        this.crc32c = crc ? new CRC32C() : null;
    }

    /** A check against the SHA-256 (64 lower-case hex characters). */
    static VerifiedRead sha256(ObjectKey key, String sha256) {
        return new VerifiedRead(key, sha256, false);
    }

    /** A check against the CRC32C (8 lower-case hex characters, {@link StoredDigest#crc32cHex}). */
    static VerifiedRead crc32c(ObjectKey key, String crc32c) {
        return new VerifiedRead(key, crc32c, true);
    }

    /** The check of a full read of an object that recorded {@code recorded}: by CRC32C if it can, none if it has neither. */
    static Optional<VerifiedRead> of(ObjectKey key, StoredDigest.Recorded recorded) {
        if (recorded.crc32c().isPresent()) {
            return Optional.of(crc32c(key, recorded.crc32c().get()));
        }
        return recorded.sha256().map(sha -> sha256(key, sha));
    }

    /**
     * Whether this check reads off-heap buffers in place (CRC32C); a SHA-256 reads a heap buffer's array in place and
     * copies a direct one in small pieces.
     */
    boolean prefersDirect() {
        return crc32c != null;
    }

    /**
     * @param chunk the next bytes read, not yet handed on (left as it is)
     * @param last  whether they complete the object
     * @throws IntegrityException when {@code last} and the object's bytes do not match the recorded value
     */
    void check(ByteBuffer chunk, boolean last) {
        if (crc32c != null) {
            crc32c.update(chunk.duplicate());
        } else {
            sha256.update(chunk.duplicate());
        }
        if (!last) {
            return;
        }
        String actual = crc32c != null ? StoredDigest.crc32cHex(crc32c.getValue()) : Sha256.hex(sha256);
        if (!actual.equals(expected)) {
            String name = crc32c != null ? "crc32c" : "sha256";
            LOG.errorf(
                    "integrity failure: %s does not match the %s recorded when it was written (recorded %s, read %s);"
                            + " its read was cut before the last byte",
                    key.value(), name, expected, actual);
            throw crc32c != null
                    ? new IntegrityException(key, CRC32C_PREFIX + expected, CRC32C_PREFIX + actual)
                    : new IntegrityException(key, expected, actual);
        }
    }
}
