package io.reelvault.service.tus;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A PATCH's {@code Upload-Checksum} (tus checksum extension): an algorithm ({@code sha1}, {@code sha256} or
 * {@code crc32c}, the big-endian 4 bytes of the CRC) and the Base64 digest of the chunk's bytes. {@link #verifier}
 * digests the chunk as it streams.
 */
public record UploadChecksum(String algorithm, byte[] expected) {
    /** The algorithms announced in {@code Tus-Checksum-Algorithm}. */
    public static final String ALGORITHMS = "sha1,sha256,crc32c";

    /** Empty when there is no header; {@code checksum_unsupported} (400) when malformed or of another algorithm. */
    public static Optional<UploadChecksum> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String[] parts = header.strip().split(" ", -1);
        if (parts.length != 2) {
            throw unsupported("Upload-Checksum must be '<algorithm> <Base64 digest>'");
        }
        int size = switch (parts[0]) {
            case "sha1" -> 20;
            case "sha256" -> 32;
            case "crc32c" -> 4;
            default -> throw unsupported("Upload-Checksum algorithm must be one of " + ALGORITHMS + ", not this one");
        };
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw unsupported("Upload-Checksum's digest is not Base64");
        }
        if (digest.length != size) {
            throw unsupported("Upload-Checksum's " + parts[0] + " digest must be " + size + " bytes");
        }
        return Optional.of(new UploadChecksum(parts[0], digest));
    }

    /** A fresh digest of this algorithm. */
    Verifier verifier() {
        return new Verifier(this);
    }

    private static ReelvaultException unsupported(String why) {
        return new ReelvaultException(ErrorCode.CHECKSUM_UNSUPPORTED, why);
    }

    /** Digests one chunk as it passes; {@link #check} at its end. */
    static final class Verifier {
        private final UploadChecksum checksum;
        private final MessageDigest digest;
        private final CRC32C crc;

        private Verifier(UploadChecksum checksum) {
            this.checksum = checksum;
            if (checksum.algorithm.equals("crc32c")) {
                digest = null;
                crc = new CRC32C();
            } else {
                crc = null;
                try {
                    digest = MessageDigest.getInstance(checksum.algorithm.equals("sha1") ? "SHA-1" : "SHA-256");
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        void update(ByteBuffer buffer) {
            ByteBuffer view = buffer.duplicate();
            if (crc != null) {
                crc.update(view);
            } else {
                digest.update(view);
            }
        }

        /** {@code checksum_mismatch} (460) when the bytes seen do not match. */
        void check() {
            byte[] actual = crc != null
                    ? ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()
                    : digest.digest();
            if (!MessageDigest.isEqual(actual, checksum.expected)) {
                throw new ReelvaultException(
                        ErrorCode.CHECKSUM_MISMATCH,
                        "the chunk's " + checksum.algorithm + " does not match Upload-Checksum; it was discarded");
            }
        }
    }
}
