package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PendingWrite}'s batching: however a body is cut into buffers (heap or direct, tiny or larger than a batch),
 * the stored file, its SHA-256 and its CRC32C (both recorded on it where the filesystem keeps attributes) are the body's, with {@code O_DIRECT} (where the disk under {@code target/} takes
 * it) and without; every batch buffer goes back to {@link WriteBuffers} exactly once; an aborted write leaves nothing.
 */
class PendingWriteTest {
    private Path root;
    private Path temp;
    private LocalFiles files;
    private long inUseBefore;

    @BeforeEach
    void setUp() throws IOException {
        root = TargetFolders.create("pending-write-");
        temp = Files.createDirectories(root.resolve(".tmp"));
        files = new LocalFiles(root);
        inUseBefore = WriteBuffers.inUse();
    }

    @AfterEach
    void tearDown() throws IOException {
        TargetFolders.delete(root);
    }

    @Test
    void arbitraryChunkingsStoreTheSameBytesAndDigestDirectAndBuffered() throws Exception {
        int directBlock = PendingWrite.directBlockSize(temp);
        boolean attributes = StoredDigest.supported(temp);
        Random random = new Random(20261204);
        for (int round = 0; round < 40; round++) {
            int size = switch (round % 4) {
                case 0 -> random.nextInt(5000); // within one block
                case 1 -> WriteBuffers.BYTES - 1 + random.nextInt(3); // around one batch
                case 2 -> random.nextInt(3 * WriteBuffers.BYTES); // several batches and a tail
                default -> (random.nextInt(4) + 1) * WriteBuffers.BYTES; // whole batches, no tail
            };
            byte[] body = new byte[size];
            random.nextBytes(body);
            for (int block : new int[] {directBlock, 0}) {
                Path target = root.resolve("objects/o-" + round + "-" + block);
                PendingWrite write = PendingWrite.open(temp, attributes, block);
                assertEquals(block > 0, write.direct(), "a probed O_DIRECT opens so; 0 never does");
                int maxChunk = 1 + random.nextInt(random.nextBoolean() ? 300 : 3 * WriteBuffers.BYTES / 2);
                long written = 0;
                for (int at = 0; at < size; ) {
                    int n = Math.min(size - at, random.nextInt(maxChunk + 1)); // empty buffers too
                    ByteBuffer chunk = random.nextBoolean()
                            ? ByteBuffer.wrap(body, at, n).slice()
                            : ByteBuffer.allocateDirect(n).put(body, at, n).flip();
                    written = write.write(chunk);
                    assertFalse(chunk.hasRemaining(), "a buffer is consumed");
                    at += n;
                }
                assertEquals(size, written);
                assertEquals(size, write.written());
                write.commit(target, files);
                assertArrayEquals(body, Files.readAllBytes(target), "round " + round + ", block " + block);
                assertEquals(sha256(body), write.sha256());
                assertEquals(crc32c(body), write.crc32c(), "round " + round + ", block " + block);
                if (attributes) {
                    assertEquals(
                            new StoredDigest.Recorded(
                                    Optional.of(sha256(body)), Optional.of(StoredDigest.crc32cHex(crc32c(body)))),
                            StoredDigest.readAll(target),
                            "both recorded on the file");
                }
                assertEquals(inUseBefore, WriteBuffers.inUse(), "both batches released");
            }
        }
        assertEquals(List.of(), list(temp), "no temp file remains");
    }

    @Test
    void aBufferedWriteIsSyncedBehindAsItGoesAnODirectOneIsNot() throws Exception {
        Random random = new Random(15);
        byte[] body = new byte[8 * WriteBuffers.BYTES + 99];
        random.nextBytes(body);
        long every = 2L * WriteBuffers.BYTES;
        int directBlock = PendingWrite.directBlockSize(temp);
        for (int block : directBlock > 0 ? new int[] {0, directBlock} : new int[] {0}) {
            PendingWrite write = PendingWrite.open(temp, false, block, every);
            for (int at = 0; at < body.length; at += 65_536) {
                write.write(ByteBuffer.wrap(body, at, Math.min(65_536, body.length - at)));
            }
            int syncs = write.syncsBehind();
            Path target = root.resolve("objects/synced-" + block);
            write.commit(target, files);
            assertArrayEquals(body, Files.readAllBytes(target), "block " + block);
            if (block == 0) {
                // one at a time: the first once 2 MiB were handed over, later ones only once the one before ended
                assertTrue(syncs >= 1 && syncs <= 4, "syncs behind an 8 MiB write, every 2 MiB: " + syncs);
            } else {
                assertEquals(0, syncs, "an O_DIRECT file's bytes went to the disk already");
            }
            assertEquals(inUseBefore, WriteBuffers.inUse());
        }
        PendingWrite small = PendingWrite.open(temp, false, 0, every);
        small.write(ByteBuffer.wrap(body, 0, WriteBuffers.BYTES));
        assertEquals(0, small.syncsBehind(), "less than the interval: only the fsync before the rename");
        assertTrue(small.abort());
        assertEquals(List.of(), list(temp), "no temp file remains");
    }

    @Test
    void anAbortMidBatchOrInFlightLeavesNothingAndReleasesOnce() throws Exception {
        for (int size : new int[] {10, WriteBuffers.BYTES + 10, 3 * WriteBuffers.BYTES}) {
            PendingWrite write = PendingWrite.open(temp, false, PendingWrite.directBlockSize(temp));
            write.write(ByteBuffer.wrap(new byte[size])); // the last full batch may still be in flight
            assertTrue(write.abort());
            assertFalse(write.abort(), "idempotent");
            assertEquals(inUseBefore, WriteBuffers.inUse(), "the batches went back once, after any write in flight");
            assertEquals(List.of(), list(temp), "the temp file is gone");
            assertThrows(CancellationException.class, () -> write.write(ByteBuffer.wrap(new byte[1])));
            assertThrows(CancellationException.class, () -> write.commit(root.resolve("never"), files));
            assertFalse(Files.exists(root.resolve("never")));
        }
    }

    @Test
    void batchesAreInFlightWhileTheNextFillsAndLandInTheirPlaces() throws Exception {
        int directBlock = PendingWrite.directBlockSize(temp);
        Random random = new Random(14);
        byte[] body = new byte[10 * WriteBuffers.BYTES + 4321];
        random.nextBytes(body);
        for (int block : new int[] {directBlock, 0}) {
            PendingWrite write = PendingWrite.open(temp, false, block);
            // O_DIRECT writes each wait for the disk, which takes several at once; a buffered one only copies into the
            // page cache under the file's lock (ext4's inode lock), so a second in flight would wait for the first
            int depth = write.direct() ? PendingWrite.IN_FLIGHT : 1;
            int at = 0;
            for (; at < (PendingWrite.IN_FLIGHT + 2) * WriteBuffers.BYTES; at += 65_536) {
                write.write(ByteBuffer.wrap(body, at, 65_536));
            }
            assertEquals(
                    inUseBefore + depth + 1,
                    WriteBuffers.inUse(),
                    "the batch filling and " + depth + " handed to the disk, not yet waited for (block " + block + ")");
            for (; at < body.length; at += 65_536) {
                write.write(ByteBuffer.wrap(body, at, Math.min(65_536, body.length - at)));
            }
            assertEquals(inUseBefore + depth + 1, WriteBuffers.inUse(), "never more");
            Path target = root.resolve("objects/deep-" + block);
            write.commit(target, files);
            assertArrayEquals(body, Files.readAllBytes(target), "block " + block);
            assertEquals(sha256(body), write.sha256());
            assertEquals(inUseBefore, WriteBuffers.inUse(), "all released");
        }
    }

    @Test
    void aCommittedWriteCannotBeAbortedAndReleasesNothingTwice() throws Exception {
        PendingWrite write = PendingWrite.open(temp, false, 0);
        write.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        write.commit(root.resolve("o"), files);
        assertFalse(write.abort());
        assertEquals(inUseBefore, WriteBuffers.inUse());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("o")));
    }

    @Test
    void withoutBuffersToSpareAWriteGoesUnbatchedOrSingleBufferedAndStoresTheSameBytes() throws Exception {
        List<ByteBuffer> taken = new ArrayList<>();
        try {
            for (ByteBuffer b = WriteBuffers.acquire(); b != null; b = WriteBuffers.acquire()) {
                taken.add(b);
            }
            assertEquals(WriteBuffers.MAX_IN_USE, WriteBuffers.inUse(), "a bounded number in use");
            Random random = new Random(7);
            byte[] body = new byte[3 * WriteBuffers.BYTES + 123];
            random.nextBytes(body);
            for (int spare = 0; spare <= 2; spare++) { // none at all, one (none to write in the background), two
                if (spare > 0) {
                    WriteBuffers.release(taken.remove(taken.size() - 1));
                }
                PendingWrite write = PendingWrite.open(temp, false, PendingWrite.directBlockSize(temp));
                if (spare == 0) {
                    assertFalse(write.direct(), "O_DIRECT only with an aligned batch");
                }
                for (int at = 0; at < body.length; at += 70_000) {
                    write.write(ByteBuffer.wrap(body, at, Math.min(70_000, body.length - at)));
                }
                Path target = root.resolve("objects/unbatched-" + spare);
                write.commit(target, files);
                assertArrayEquals(body, Files.readAllBytes(target));
                assertEquals(sha256(body), write.sha256());
                assertEquals(crc32c(body), write.crc32c());
            }
        } finally {
            taken.forEach(WriteBuffers::release);
        }
        assertEquals(inUseBefore, WriteBuffers.inUse());
    }

    @Test
    void aBufferReleasedTwiceIsRefused() {
        ByteBuffer buffer = WriteBuffers.acquire();
        WriteBuffers.release(buffer);
        assertThrows(IllegalStateException.class, () -> WriteBuffers.release(buffer));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static long crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
