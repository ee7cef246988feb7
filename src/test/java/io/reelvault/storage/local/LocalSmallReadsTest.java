package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.FileBody;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.ObjectContent;
import io.reelvault.support.LocalRoots;
import io.reelvault.support.OpenFiles;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small objects (at most {@link LocalReads#SMALL_READ} bytes) are read whole, and a full read verified, in the step
 * that opens them: the content is a snapshot of the object as it was opened. Larger ones stream as they are read.
 * Small objects are read, and ranges of any object opened, on the caller's thread (inline small reads, the default),
 * at subscription.
 */
class LocalSmallReadsTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private ExecutorService pool;
    private LocalObjectStore store;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(2);
        store = LocalRoots.open(root, pool, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @Test
    void anObjectOfExactlyTheThresholdIsReadWholeWhenOpened() throws IOException {
        byte[] data = bytes(LocalReads.SMALL_READ, 1);
        put("uploads/u/a/metadata.json", data);
        ObjectContent content = get("uploads/u/a/metadata.json", Optional.empty());
        flip("uploads/u/a/metadata.json", 100); // damaged in place after the open: the read already happened
        assertArrayEquals(data, drain(content.body()), "the verified bytes as read when opened");
        content.file().orElseThrow().close();
    }

    @Test
    void anObjectOneByteLargerStreamsAndItsDamageFailsTheRead() throws IOException {
        byte[] data = bytes(LocalReads.SMALL_READ + 1, 2);
        put("uploads/u/b/original.bin", data);
        ObjectContent content = get("uploads/u/b/original.bin", Optional.empty());
        flip("uploads/u/b/original.bin", 100);
        Throwable failure = assertThrows(Throwable.class, () -> drain(content.body()));
        assertTrue(cause(failure) instanceof IntegrityException, String.valueOf(failure));
    }

    @Test
    void aRottenSmallObjectFailsWithAnIntegrityErrorAndNoBytes() throws IOException {
        byte[] data = bytes(1000, 3);
        put("uploads/u/c/metadata.json", data);
        flip("uploads/u/c/metadata.json", 500);
        ObjectContent content = get("uploads/u/c/metadata.json", Optional.empty());
        List<ByteBuffer> seen = new ArrayList<>();
        Throwable failure = assertThrows(
                Throwable.class, () -> content.body().subscribe().asIterable().forEach(seen::add));
        assertTrue(cause(failure) instanceof IntegrityException, String.valueOf(failure));
        assertEquals(List.of(), seen, "none of its bytes are handed on");
        // the file body's tail is verified too: it never hands out the last bytes of the damaged object
        FileBody file =
                get("uploads/u/c/metadata.json", Optional.empty()).file().orElseThrow();
        Throwable tail =
                assertThrows(Throwable.class, () -> file.tail(10).await().atMost(WAIT));
        assertTrue(cause(tail) instanceof IntegrityException, String.valueOf(tail));
        file.close();
        // a range cannot be verified, and is served as read
        byte[] onDisk = data.clone();
        onDisk[500] ^= 0x01;
        assertArrayEquals(
                Arrays.copyOfRange(onDisk, 490, 510),
                drain(get("uploads/u/c/metadata.json", Optional.of(ByteRange.fromTo(490, 509)))
                        .body()));
    }

    @Test
    void aSmallObjectReplacedAfterItsOpenIsReadAsTheOneOpened() {
        byte[] old = bytes(5000, 4);
        byte[] replacement = bytes(7000, 5);
        put("uploads/u/d/metadata.json", old);
        ObjectContent content = get("uploads/u/d/metadata.json", Optional.empty());
        ObjectContent sent = get("uploads/u/d/metadata.json", Optional.empty()); // used by its file body instead
        put("uploads/u/d/metadata.json", replacement);
        assertEquals(old.length, content.info().size());
        assertArrayEquals(old, drain(content.body()), "the object opened, whole, not a mix");
        FileBody file = sent.file().orElseThrow();
        assertEquals(old.length, file.count());
        ByteBuffer tail = file.tail(16).await().atMost(WAIT);
        assertArrayEquals(Arrays.copyOfRange(old, old.length - 16, old.length), remaining(tail));
        file.close();
        assertArrayEquals(
                replacement,
                drain(get("uploads/u/d/metadata.json", Optional.empty()).body()));
    }

    @Test
    void anEmptyObjectIsReadAsNoBytesAndNoRangeOfItIsSatisfiable() {
        put("uploads/u/e/empty.bin", new byte[0]);
        ObjectContent content = get("uploads/u/e/empty.bin", Optional.empty());
        assertEquals(0, content.length());
        assertArrayEquals(new byte[0], drain(content.body()));
        ReelvaultException e = assertThrows(
                ReelvaultException.class, () -> get("uploads/u/e/empty.bin", Optional.of(ByteRange.fromTo(0, 0))));
        assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, e.code());
    }

    @Test
    void rangesOfASmallObjectAreExactlyTheirBytes() {
        byte[] data = bytes(3000, 6);
        put("uploads/u/f/metadata.json", data);
        ObjectContent middle = get("uploads/u/f/metadata.json", Optional.of(ByteRange.fromTo(1000, 1999)));
        assertEquals(1000, middle.length());
        assertEquals(1000, middle.range().orElseThrow().start());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), drain(middle.body()));
        assertArrayEquals(
                Arrays.copyOfRange(data, 2990, 3000),
                drain(get("uploads/u/f/metadata.json", Optional.of(ByteRange.suffix(10)))
                        .body()));
        ReelvaultException e = assertThrows(
                ReelvaultException.class, () -> get("uploads/u/f/metadata.json", Optional.of(ByteRange.from(3000))));
        assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, e.code());
    }

    @Test
    void aSmallObjectIsReadOnTheCallersThreadALargeOneOpenedOnTheExecutor() {
        AtomicInteger trips = new AtomicInteger();
        LocalObjectStore counted = LocalRoots.open(root, counting(trips), Clock.systemUTC(), true);
        byte[] small = bytes(LocalReads.SMALL_READ, 7);
        byte[] large = bytes(LocalReads.SMALL_READ + 1, 8);
        put("uploads/u/h/metadata.json", small);
        put("uploads/u/h/original.bin", large);
        trips.set(0);
        AtomicReference<Thread> answeredOn = new AtomicReference<>();
        ObjectContent content = getNoting(counted, "uploads/u/h/metadata.json", answeredOn);
        assertEquals(Thread.currentThread(), answeredOn.get(), "read and answered on the caller's thread");
        assertArrayEquals(small, drain(content.body()));
        assertEquals(0, trips.get(), "no trip to the blocking executor");
        ReelvaultException missing = assertThrows(
                ReelvaultException.class,
                () -> counted.get(ObjectKey.parse("uploads/u/h/none.json"), Optional.empty())
                        .await()
                        .atMost(WAIT));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertEquals(0, trips.get(), "a missing object is known from the stat made here");
        assertArrayEquals(
                large,
                drain(counted.get(ObjectKey.parse("uploads/u/h/original.bin"), Optional.empty())
                        .await()
                        .atMost(WAIT)
                        .body()));
        assertTrue(trips.get() > 0, "a large object is opened and read on the blocking executor");
    }

    @Test
    void withInlineSmallReadsOffASmallObjectIsReadOnTheExecutor() {
        AtomicInteger trips = new AtomicInteger();
        LocalObjectStore counted = LocalRoots.open(root, counting(trips), Clock.systemUTC(), false);
        byte[] small = bytes(100, 9);
        put("uploads/u/i/metadata.json", small);
        trips.set(0);
        AtomicReference<Thread> answeredOn = new AtomicReference<>();
        ObjectContent content = getNoting(counted, "uploads/u/i/metadata.json", answeredOn);
        assertArrayEquals(small, drain(content.body()));
        assertEquals(1, trips.get(), "one trip to the blocking executor");
        assertNotEquals(Thread.currentThread(), answeredOn.get());
    }

    @Test
    void aRangeOfALargeObjectIsOpenedWithoutATripToTheExecutor() {
        AtomicInteger trips = new AtomicInteger();
        LocalObjectStore counted = LocalRoots.open(root, counting(trips), Clock.systemUTC(), true);
        byte[] data = bytes(3 * LocalReads.SMALL_READ + 17, 10);
        put("uploads/u/j/original.bin", data);
        ObjectKey key = ObjectKey.parse("uploads/u/j/original.bin");

        trips.set(0);
        Uni<ObjectContent> ranged = counted.get(key, Optional.of(ByteRange.fromTo(1000, 150_000)));
        assertEquals(0, OpenFiles.of(root.resolve(key.value())), "opened at subscription, not before");
        ObjectContent content = ranged.await().atMost(WAIT);
        assertEquals(0, trips.get(), "opened on the caller's thread");
        assertEquals(1, OpenFiles.of(root.resolve(key.value())), "open while its content is unread");
        assertEquals(149_001, content.length());
        FileBody file = content.file().orElseThrow();
        assertEquals(1000, file.position());
        assertEquals(149_001, file.count());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 150_001), drain(content.body()), "exactly the range");
        assertEquals(0, OpenFiles.of(root.resolve(key.value())), "closed once its body ended");

        trips.set(0);
        ObjectContent whole = counted.get(key, Optional.empty()).await().atMost(WAIT);
        assertTrue(trips.get() > 0, "a full read (its digest read too) opens on the executor");
        assertArrayEquals(data, drain(whole.body()));
    }

    @Test
    void aRangeOfAMissingObjectOrBeyondItsEndFailsAsBefore() {
        byte[] data = bytes(LocalReads.SMALL_READ + 1, 11);
        put("uploads/u/k/original.bin", data);
        ReelvaultException beyond = assertThrows(
                ReelvaultException.class,
                () -> get("uploads/u/k/original.bin", Optional.of(ByteRange.from(data.length))));
        assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, beyond.code());
        ReelvaultException missing = assertThrows(
                ReelvaultException.class, () -> get("uploads/u/k/none.bin", Optional.of(ByteRange.from(0))));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
    }

    /** A full read of {@code key} from {@code from}, noting the thread its content was answered on. */
    private static ObjectContent getNoting(LocalObjectStore from, String key, AtomicReference<Thread> answeredOn) {
        return from.get(ObjectKey.parse(key), Optional.empty())
                .invoke(c -> answeredOn.set(Thread.currentThread()))
                .await()
                .atMost(WAIT);
    }

    /** The test's pool, counting the tasks given to it. */
    private Executor counting(AtomicInteger trips) {
        return task -> {
            trips.incrementAndGet();
            pool.execute(task);
        };
    }

    @Test
    void aMissingObjectIsNotFound() {
        ReelvaultException e =
                assertThrows(ReelvaultException.class, () -> get("uploads/u/g/metadata.json", Optional.empty()));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    private void put(String key, byte[] data) {
        store.put(
                        ObjectKey.parse(key),
                        Multi.createFrom().item(ByteBuffer.wrap(data)),
                        OptionalLong.of(data.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
    }

    private ObjectContent get(String key, Optional<ByteRange> range) {
        return store.get(ObjectKey.parse(key), range).await().atMost(WAIT);
    }

    private void flip(String key, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(root.resolve(key), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            ch.write(one, at);
        }
    }

    private static byte[] drain(Multi<ByteBuffer> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.subscribe().asIterable().forEach(b -> {
            byte[] a = remaining(b);
            out.write(a, 0, a.length);
        });
        return out.toByteArray();
    }

    private static byte[] remaining(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static Throwable cause(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
