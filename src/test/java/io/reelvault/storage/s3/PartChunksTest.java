package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelvault.error.ReelvaultException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The arrays of part buffers, reused from part to part: never more than the budget's worth kept, never mixed. */
class PartChunksTest {
    static final int CHUNK = PartReader.CHUNK;

    @Test
    void arraysGivenBackAreHandedOutAgainAndNoMoreThanTheBudgetsWorthIsKept() {
        PartChunks arrays = new PartChunks(3L * CHUNK - 1, 1L << 40); // 2.99 chunks: 3 arrays
        List<ByteBuffer> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] a = arrays.take();
            assertEquals(CHUNK, a.length);
            taken.add(ByteBuffer.wrap(a, 0, i + 1));
        }
        arrays.giveBack(taken);
        assertEquals(3, arrays.kept(), "the budget's worth of arrays is kept, the fourth left to the collector");
        assertSame(taken.get(2).array(), arrays.take(), "the array given back last is handed out first");
        arrays.giveBack(List.of(ByteBuffer.allocate(100), ByteBuffer.allocateDirect(CHUNK)));
        assertEquals(2, arrays.kept(), "only arrays of a part's chunk size are kept");
    }

    @Test
    void noMoreThanAQuarterOfTheHeapIsKept() {
        PartChunks arrays = new PartChunks(100L * CHUNK, 8L * CHUNK); // a budget far beyond a small heap
        List<ByteBuffer> taken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            taken.add(ByteBuffer.wrap(arrays.take()));
        }
        arrays.giveBack(taken);
        assertEquals(2, arrays.kept(), "a quarter of an 8-chunk heap");
    }

    @Test
    void aPartFilledFromReusedArraysHoldsItsOwnBytesOnly() throws Exception {
        PartChunks arrays = new PartChunks(8L * CHUNK);
        BufferBudget budget = new BufferBudget(8L * CHUNK);
        byte[] first = random(2 * CHUNK + 300, 1);
        PartReader reader = reader(body(first), OptionalLong.of(first.length), budget, arrays);
        PartBuffer one = reader.fill(4L * CHUNK);
        assertArrayEquals(first, bytes(one));
        one.budget().release();
        arrays.giveBack(one.chunks());
        assertEquals(3, arrays.kept());

        byte[] second = random(CHUNK + 7, 2); // shorter: the reused arrays still hold the first part's bytes after it
        PartBuffer two = reader(body(second), OptionalLong.of(second.length), budget, arrays)
                .fill(4L * CHUNK);
        assertEquals(second.length, two.length());
        assertArrayEquals(second, bytes(two), "nothing of the earlier part shows through");
        assertEquals(1, arrays.kept(), "two of the three arrays were taken again");
    }

    @Test
    void aPartThatFailsWhileItFillsGivesItsArraysAndBudgetBack() {
        PartChunks arrays = new PartChunks(8L * CHUNK);
        BufferBudget budget = new BufferBudget(8L * CHUNK);
        byte[] sent = random(CHUNK + 10, 3);
        PartReader reader = reader(body(sent), OptionalLong.of(CHUNK), budget, arrays); // declared shorter than sent
        assertThrows(ReelvaultException.class, () -> reader.fill(4L * CHUNK));
        assertEquals(2, arrays.kept(), "the arrays of a part never handed to the SDK are kept");
        assertEquals(8L * CHUNK, budget.free());
    }

    static PartReader reader(BlockingBody body, OptionalLong length, BufferBudget budget, PartChunks arrays) {
        return new PartReader(body, length, budget, arrays, 10, () -> false);
    }

    /** A body that delivers {@code bytes} in pieces of 10,000 bytes, then ends. */
    static BlockingBody body(byte[] bytes) {
        BlockingBody body = new BlockingBody(bytes.length / 10_000 + 2);
        body.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        for (int at = 0; at < bytes.length; at += 10_000) {
            body.onNext(ByteBuffer.wrap(bytes, at, Math.min(10_000, bytes.length - at)));
        }
        body.onComplete();
        return body;
    }

    static byte[] bytes(PartBuffer part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer chunk : part.chunks()) {
            ByteBuffer view = chunk.asReadOnlyBuffer();
            byte[] b = new byte[view.remaining()];
            view.get(b);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
