package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IntegrityException;
import io.reelvault.support.Samples;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VerifiedRead}: a full read is checked by the object's CRC32C when it records one, by its SHA-256 otherwise,
 * not at all with neither; however the bytes are cut into chunks (heap or direct), an intact object passes and one
 * flipped bit fails its last chunk, leaving the chunks as they were.
 */
class VerifiedReadTest {
    static final ObjectKey KEY = ObjectKey.parse("temp/job1/verified.tmp");

    @Test
    void theCrc32cIsPreferredAndTheSha256IsTheFallback() {
        byte[] bytes = new byte[1000];
        new Random(1).nextBytes(bytes);
        String sha = Samples.sha256(bytes);
        String crc = ScrubberTest.crc32c(bytes);
        assertTrue(VerifiedRead.of(KEY, new StoredDigest.Recorded(Optional.of(sha), Optional.of(crc)))
                .orElseThrow()
                .prefersDirect());
        assertFalse(VerifiedRead.of(KEY, new StoredDigest.Recorded(Optional.of(sha), Optional.empty()))
                .orElseThrow()
                .prefersDirect());
        assertTrue(VerifiedRead.of(KEY, new StoredDigest.Recorded(Optional.empty(), Optional.of(crc)))
                .orElseThrow()
                .prefersDirect());
        assertEquals(Optional.empty(), VerifiedRead.of(KEY, StoredDigest.Recorded.NONE));
    }

    @Test
    void anyChunkingPassesIntactBytesAndCatchesAFlippedBitByEitherValue() {
        Random random = new Random(20261204);
        for (int round = 0; round < 60; round++) {
            byte[] bytes = new byte[random.nextInt(round % 3 == 0 ? 100 : 400_000)];
            random.nextBytes(bytes);
            String sha = Samples.sha256(bytes);
            String crc = ScrubberTest.crc32c(bytes);
            for (boolean byCrc : new boolean[] {true, false}) {
                check(byCrc ? VerifiedRead.crc32c(KEY, crc) : VerifiedRead.sha256(KEY, sha), bytes, random);
                if (bytes.length == 0) {
                    continue;
                }
                byte[] flipped = bytes.clone();
                flipped[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                VerifiedRead verify = byCrc ? VerifiedRead.crc32c(KEY, crc) : VerifiedRead.sha256(KEY, sha);
                IntegrityException e = assertThrows(IntegrityException.class, () -> check(verify, flipped, random));
                assertEquals(byCrc ? "crc32c:" + crc : sha, e.expected());
                assertEquals(byCrc ? "crc32c:" + ScrubberTest.crc32c(flipped) : Samples.sha256(flipped), e.actual());
                assertEquals(KEY, e.key());
            }
        }
    }

    /** Feeds {@code bytes} in random chunks, the last one flagged; each chunk must be left as it was. */
    private static void check(VerifiedRead verify, byte[] bytes, Random random) {
        if (bytes.length == 0) {
            verify.check(ByteBuffer.allocate(0), true);
            return;
        }
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(70_000));
            ByteBuffer chunk = random.nextBoolean()
                    ? ByteBuffer.wrap(bytes, at, n).slice()
                    : ByteBuffer.allocateDirect(n).put(bytes, at, n).flip();
            verify.check(chunk, at + n == bytes.length);
            assertEquals(n, chunk.remaining(), "a chunk is left for the reader to hand on");
            at += n;
        }
    }
}
