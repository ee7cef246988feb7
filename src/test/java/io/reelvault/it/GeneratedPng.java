package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * {@code size} pseudo-random bytes behind a PNG signature, hashed as read; eight bytes per random
 * draw, so that the client outruns the service (and s3proxy): the service's buffers really fill up,
 * which is the worst case for its heap.
 */
final class GeneratedPng extends InputStream {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private final long size;
    private final SplittableRandom random = new SplittableRandom(7);
    private final MessageDigest digest;
    private long position;

    GeneratedPng(long size) throws Exception {
        this.size = size;
        this.digest = MessageDigest.getInstance("SHA-256");
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - position);
        int i = 0;
        for (; i < n && position + i < SIGNATURE.length; i++) {
            b[off + i] = SIGNATURE[(int) (position + i)];
        }
        long word = 0;
        for (int left = 0; i < n; i++, left--, word >>>= 8) {
            if (left == 0) {
                word = random.nextLong();
                left = 8;
            }
            b[off + i] = (byte) word;
        }
        digest.update(b, off, n);
        position += n;
        return n;
    }

    String sha256() {
        assertEquals(size, position, "the whole body was sent");
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads a stream to its end, hashing it: the client side of a download, in constant memory. */
    static Drained drain(InputStream in) {
        try (in) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long received = 0;
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                received += n;
            }
            return new Drained(received, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

/** What {@link GeneratedPng#drain} read: the byte count and the hex SHA-256. */
record Drained(long bytes, String sha256) {}
