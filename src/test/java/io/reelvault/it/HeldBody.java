package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code size} bytes of a PNG (signature, then pseudo-random bytes) whose reader blocks at byte {@code heldAt}
 * until {@link #release()}: an upload that is surely in flight, for as long as the test wants.
 */
final class HeldBody extends InputStream {
    /** How long the test may take to send the body up to the held byte. */
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final byte[] data;
    final long size;
    private final int heldAt;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicLong position = new AtomicLong();

    HeldBody(int size, int heldAt) {
        this(size, heldAt, size);
    }

    /** @param seed of the bytes after the PNG signature: bodies of one size differ by their seed */
    HeldBody(int size, int heldAt, long seed) {
        this.size = size;
        this.heldAt = heldAt;
        this.data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(png, 0, data, 0, png.length);
    }

    HeldBody released() {
        release();
        return this;
    }

    void release() {
        released.countDown();
    }

    void awaitHeld() throws InterruptedException {
        assertTrue(held.await(BOUND.toSeconds(), TimeUnit.SECONDS), "the client sent the body up to byte " + heldAt);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        int pos = (int) position.get();
        if (pos >= data.length) {
            return -1;
        }
        if (pos == heldAt && released.getCount() > 0) {
            held.countDown();
            try {
                if (!released.await(BOUND.toSeconds() * 2, TimeUnit.SECONDS)) {
                    throw new UncheckedIOException(new IOException("never released"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while held"));
            }
        }
        int limit = pos < heldAt ? heldAt : data.length;
        int n = Math.min(len, limit - pos);
        System.arraycopy(data, pos, b, off, n);
        position.addAndGet(n);
        return n;
    }

    String sha256() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
