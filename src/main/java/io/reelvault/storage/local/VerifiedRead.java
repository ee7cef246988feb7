package io.reelvault.storage.local;

import io.reelvault.common.Sha256;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IntegrityException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.jboss.logging.Logger;

/**
 * The check of one full read against the object's recorded SHA-256 ({@link StoredDigest}): every chunk is hashed
 * before it is handed on, and the last one is handed on only once the digest matches; otherwise it is withheld and
 * {@link IntegrityException} raised in its place, logged with the key and both digests. Constant memory (one
 * {@link MessageDigest}); chunks arrive one at a time, in order.
 */
final class VerifiedRead {
    private static final Logger LOG = Logger.getLogger(VerifiedRead.class);
    private final ObjectKey key;
    private final String expected;
    private final MessageDigest sha256;

    VerifiedRead(ObjectKey key, String expected) {
        this.key = key;
        this.expected = expected;
        this.sha256 = Sha256.newDigest();
    }

    /**
     * @param chunk the next bytes read, not yet handed on
     * @param last  whether they complete the object
     * @throws IntegrityException when {@code last} and the object's bytes do not match the recorded digest
     */
    void check(ByteBuffer chunk, boolean last) {
        sha256.update(chunk.duplicate());
        if (!last) {
            return;
        }
        String actual = Sha256.hex(sha256);
        if (!actual.equals(expected)) {
            LOG.errorf(
                    "integrity failure: %s does not match the sha256 recorded when it was written (recorded %s, read %s);"
                            + " its read was cut before the last byte",
                    key.value(), expected, actual);
            throw new IntegrityException(key, expected, actual);
        }
    }
}
