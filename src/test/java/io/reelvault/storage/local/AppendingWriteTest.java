package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.TusUploadId;
import io.reelvault.storage.RunningDigests;
import io.reelvault.storage.RunningDigests.KnownDigest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AppendingWrite}, a tus append on the local backend, with {@code O_DIRECT} (where the disk under
 * {@code target/} takes it) and without: appends of any size at any offset (block-aligned or not) leave the file
 * holding exactly the bytes sent, its size always the offset (never a padding byte), the running digest that of every
 * byte; a settled append keeps what arrived or is cut back to its start; every batch buffer goes back to
 * {@link WriteBuffers}.
 */
class AppendingWriteTest {
    private Path root;
    private long inUseBefore;

    @BeforeEach
    void setUp() throws IOException {
        root = TargetFolders.create("appending-write-");
        inUseBefore = WriteBuffers.inUse();
    }

    @AfterEach
    void tearDown() throws IOException {
        assertEquals(inUseBefore, WriteBuffers.inUse(), "every batch buffer given back");
        TargetFolders.delete(root);
    }

    private int[] blocks() {
        int direct = PendingWrite.directBlockSize(root);
        return direct > 0 ? new int[] {direct, 0} : new int[] {0};
    }

    @Test
    void appendsOfAnySizeAtAnyOffsetStoreExactlyTheBytesAndTheirRunningDigest() throws Exception {
        Random random = new Random(20261205);
        for (int block : blocks()) {
            for (int round = 0; round < 12; round++) {
                byte[] source = new byte[1 + random.nextInt(6 << 20)];
                random.nextBytes(source);
                Path file = Files.createFile(root.resolve("up-" + block + "-" + round + ".bin"));
                RunningDigests.Running digest = new RunningDigests.Running();
                int offset = 0;
                while (offset < source.length) {
                    int size = Math.min(
                            source.length - offset,
                            switch (random.nextInt(4)) {
                                case 0 -> 1 + random.nextInt(10);
                                case 1 -> 1 + random.nextInt(5000);
                                case 2 -> 4096 * (1 + random.nextInt(300));
                                default -> 1 + random.nextInt(3 << 20);
                            });
                    AppendingWrite write = AppendingWrite.open(file, offset, block, Optional.of(digest));
                    try {
                        send(write, source, offset, size, random);
                        assertEquals(offset + size, write.finish());
                    } finally {
                        write.close();
                    }
                    offset += size;
                    assertEquals(offset, Files.size(file), "the file's size is the offset, never padded");
                    assertEquals(offset, digest.end());
                }
                assertArrayEquals(source, Files.readAllBytes(file), "block " + block + ", round " + round);
                RunningDigests digests = new RunningDigests();
                TusUploadId id = TusUploadId.generate(java.time.Clock.systemUTC());
                digests.keep(id, digest);
                KnownDigest known = digests.finished(id, source.length).orElseThrow();
                assertEquals(sha256(source), known.sha256());
                CRC32C crc = new CRC32C();
                crc.update(source);
                assertEquals(crc.getValue(), known.crc32c());
            }
        }
    }

    @Test
    void aSettledAppendKeepsWhatArrivedOrIsCutBackToItsStart() throws Exception {
        Random random = new Random(7);
        for (int block : blocks()) {
            byte[] first = new byte[12_345];
            byte[] more = new byte[(5 << 20) + 777]; // several batches, some in flight when settled
            random.nextBytes(first);
            random.nextBytes(more);
            Path file = Files.createFile(root.resolve("settle-" + block + ".bin"));
            AppendingWrite write = AppendingWrite.open(file, 0, block, Optional.empty());
            send(write, first, 0, first.length, random);
            write.finish();
            write.close();

            AppendingWrite kept = AppendingWrite.open(file, first.length, block, Optional.empty());
            send(kept, more, 0, more.length, random);
            kept.settle(true);
            assertThrows(CancellationException.class, () -> kept.write(ByteBuffer.allocate(1)));
            byte[] both = Arrays.copyOf(first, first.length + more.length);
            System.arraycopy(more, 0, both, first.length, more.length);
            assertArrayEquals(both, Files.readAllBytes(file), "kept: every byte that arrived");

            AppendingWrite cut = AppendingWrite.open(file, both.length, block, Optional.empty());
            send(cut, more, 0, more.length, random);
            cut.settle(false);
            assertArrayEquals(both, Files.readAllBytes(file), "cut back to where the append started");
        }
    }

    @Test
    void anAppendAtAnotherOffsetIsRefusedAndChangesNothing() throws Exception {
        for (int block : blocks()) {
            Path file = Files.write(root.resolve("mismatch-" + block + ".bin"), new byte[100]);
            ReelvaultException e = assertThrows(
                    ReelvaultException.class, () -> AppendingWrite.open(file, 99, block, Optional.empty()));
            assertEquals(ErrorCode.OFFSET_MISMATCH, e.code());
            assertEquals(100, Files.size(file));
        }
    }

    @Test
    void aRunningDigestIsContinuedOnlyWhereItEndsAndGivenOnlyForExactlyItsBytes() {
        RunningDigests digests = new RunningDigests();
        TusUploadId id = TusUploadId.generate(java.time.Clock.systemUTC());
        RunningDigests.Running running = digests.take(id, 0).orElseThrow();
        running.update(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        digests.keep(id, running);
        assertTrue(digests.take(id, 2).isEmpty(), "an append elsewhere continues nothing");
        assertTrue(digests.finished(id, 4).isEmpty(), "a digest of other bytes is never given");
        digests.keep(id, running); // finished took it away
        assertEquals(running, digests.take(id, 3).orElseThrow(), "still kept for an append at its end");
        digests.keep(id, running);
        digests.forget(id); // bytes cut
        assertTrue(digests.take(id, 3).isEmpty());
        assertTrue(digests.finished(id, 3).isEmpty());
        digests.keep(id, running);
        assertEquals(
                sha256(new byte[] {1, 2, 3}),
                digests.finished(id, 3).orElseThrow().sha256());
        assertTrue(digests.finished(id, 3).isEmpty(), "a publication takes it once");
    }

    /** Sends {@code size} bytes of {@code source} from {@code from} in random buffers, heap and direct. */
    private static void send(AppendingWrite write, byte[] source, int from, int size, Random random)
            throws IOException {
        int at = from;
        while (at < from + size) {
            int n = Math.min(from + size - at, 1 + random.nextInt(random.nextBoolean() ? 300 : 200_000));
            ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
            buffer.put(source, at, n).flip();
            write.write(buffer);
            assertEquals(0, buffer.remaining(), "consumed");
            at += n;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
