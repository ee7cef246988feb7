package io.reelvault.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.reelvault.common.Sha256;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.support.Poll;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ObjectStore} backend must have. A backend's test extends this class and
 * supplies a fresh, empty store; the same tests then run unchanged against it.
 */
public abstract class ObjectStoreContract {
    protected static final Duration WAIT = Duration.ofSeconds(30);

    /** A store with no objects. */
    protected abstract ObjectStore store();

    /** Asserts the backend holds no trace of unfinished writes (temp files, multipart uploads). */
    protected abstract void assertNoLeftovers();

    protected static ObjectKey key(String k) {
        return ObjectKey.parse(k);
    }

    protected static String sha256(byte[] data) {
        return HexFormat.of().formatHex(Sha256.newDigest().digest(data));
    }

    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The bytes as a stream of chunks of the given sizes, cycling. */
    protected static Multi<ByteBuffer> chunked(byte[] data, int... sizes) {
        List<ByteBuffer> chunks = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < data.length; i++) {
            int n = Math.min(sizes[i % sizes.length], data.length - at);
            chunks.add(ByteBuffer.wrap(data, at, n).slice());
            at += n;
        }
        return Multi.createFrom().iterable(chunks);
    }

    protected ObjectInfo put(String k, byte[] data) {
        return store().put(key(k), chunked(data, 8192), OptionalLong.of(data.length), "application/octet-stream")
                .await()
                .atMost(WAIT)
                .info();
    }

    protected byte[] read(String k, Optional<ByteRange> range) {
        ObjectContent c = store().get(key(k), range).await().atMost(WAIT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.body().subscribe().asIterable().forEach(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.write(a, 0, a.length);
        });
        assertEquals(c.length(), out.size(), "body length matches the announced length");
        return out.toByteArray();
    }

    protected static ReelvaultException failure(Uni<?> uni) {
        try {
            uni.await().atMost(WAIT);
        } catch (ReelvaultException e) {
            return e;
        }
        return fail("expected a failure");
    }

    /**
     * {@link ObjectMoves}: the source replaces the target in one step with a fresh ETag, only as the version it was
     * verified in; a changed or missing source moves nothing.
     */
    @Test
    void moveReplacesTheTargetWithTheVerifiedSourceOnly() {
        Optional<ObjectMoves> moves = store().capability(ObjectMoves.class);
        Assumptions.assumeTrue(moves.isPresent(), "this backend has no moves");
        byte[] old = randomBytes(1000, 1);
        byte[] staged = randomBytes(7 * 1024 * 1024 + 3, 2);
        ObjectInfo before = put("compositions/c/final.mp4", old);
        ObjectInfo source = put("compositions/c/multipart/u/final.mp4", staged);

        ReelvaultException changed = failure(moves.get()
                .move(
                        key("compositions/c/multipart/u/final.mp4"),
                        "\"not-its-etag\"",
                        key("compositions/c/final.mp4")));
        assertTrue(changed instanceof PreconditionFailedException, changed.toString());
        assertArrayEquals(old, read("compositions/c/final.mp4", Optional.empty()), "a refused move changes nothing");

        ObjectInfo moved = moves.get()
                .move(key("compositions/c/multipart/u/final.mp4"), source.etag(), key("compositions/c/final.mp4"))
                .await()
                .atMost(WAIT);
        assertEquals(key("compositions/c/final.mp4"), moved.key());
        assertEquals(staged.length, moved.size());
        assertNotEquals(before.etag(), moved.etag(), "a fresh ETag");
        assertEquals(
                moved.etag(),
                store().head(key("compositions/c/final.mp4"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .etag());
        assertArrayEquals(staged, read("compositions/c/final.mp4", Optional.empty()));
        assertTrue(
                store().head(key("compositions/c/multipart/u/final.mp4"))
                        .await()
                        .atMost(WAIT)
                        .isEmpty(),
                "the source is gone");
        assertEquals(
                ErrorCode.NOT_FOUND,
                failure(moves.get()
                                .move(
                                        key("compositions/c/multipart/u/final.mp4"),
                                        source.etag(),
                                        key("compositions/c/x.mp4")))
                        .code());
        assertNoLeftovers();
    }

    @Test
    void emptyObject() {
        PutResult stored = store().put(
                        key("temp/j1/empty.tmp"),
                        Multi.createFrom().empty(),
                        OptionalLong.of(0),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        assertEquals(0, stored.info().size());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stored.sha256());
        assertArrayEquals(new byte[0], read("temp/j1/empty.tmp", Optional.empty()));
        assertEquals(
                0,
                store().head(key("temp/j1/empty.tmp"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .size());
    }

    @Test
    void oneByteObject() {
        put("temp/j1/one.tmp", new byte[] {42});
        assertArrayEquals(new byte[] {42}, read("temp/j1/one.tmp", Optional.empty()));
        assertArrayEquals(new byte[] {42}, read("temp/j1/one.tmp", Optional.of(ByteRange.suffix(1))));
    }

    @Test
    void objectCrossingBufferBoundariesRoundTrips() {
        byte[] data = randomBytes(3 * 128 * 1024 + 17, 1);
        PutResult stored = store().put(
                        key("generations/g/clips/clip_001.mp4"),
                        chunked(data, 1, 7, 65536, 8191, 100_000),
                        OptionalLong.empty(),
                        "video/mp4")
                .await()
                .atMost(WAIT);
        ObjectInfo info = stored.info();
        assertEquals(data.length, info.size());
        assertEquals(sha256(data), stored.sha256(), "the SHA-256 of exactly the bytes stored");
        assertArrayEquals(data, read("generations/g/clips/clip_001.mp4", Optional.empty()));
        ObjectInfo head = store().head(key("generations/g/clips/clip_001.mp4"))
                .await()
                .atMost(WAIT)
                .orElseThrow();
        assertEquals(data.length, head.size());
        assertEquals(info.etag(), head.etag());
        assertTrue(head.etag().startsWith("\"") && head.etag().endsWith("\""), "ETag is quoted");
    }

    protected PutResult putIf(String k, Optional<String> expectedEtag, byte[] data) {
        return store().putIf(
                        key(k), expectedEtag, chunked(data, 8192), OptionalLong.of(data.length), "application/json")
                .await()
                .atMost(WAIT);
    }

    @Test
    void conditionalCreateWritesOnlyWhereNothingIs() {
        byte[] first = randomBytes(300, 40);
        PutResult created = putIf("temp/c1/doc.json", Optional.empty(), first);
        assertEquals(sha256(first), created.sha256());
        ReelvaultException again = failure(store().putIf(
                        key("temp/c1/doc.json"),
                        Optional.empty(),
                        chunked(randomBytes(200, 41), 64),
                        OptionalLong.of(200),
                        "application/json"));
        assertTrue(again instanceof PreconditionFailedException, "a second create-only write fails: " + again);
        assertArrayEquals(first, read("temp/c1/doc.json", Optional.empty()), "the first stays");
        awaitNoLeftovers();
    }

    @Test
    void conditionalWriteReplacesOnlyTheVersionItRead() {
        ObjectInfo v1 = put("temp/c2/doc.json", randomBytes(300, 42));
        byte[] second = randomBytes(310, 43);
        ObjectInfo v2 =
                putIf("temp/c2/doc.json", Optional.of(v1.etag()), second).info();
        assertNotEquals(v1.etag(), v2.etag());
        assertEquals(
                v2.etag(),
                store().head(key("temp/c2/doc.json"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .etag(),
                "the ETag answered is the one the object has");

        ReelvaultException stale = failure(store().putIf(
                        key("temp/c2/doc.json"),
                        Optional.of(v1.etag()),
                        chunked(randomBytes(320, 44), 64),
                        OptionalLong.of(320),
                        "application/json"));
        assertTrue(
                stale instanceof PreconditionFailedException,
                "a write conditioned on a replaced version fails: " + stale);
        assertArrayEquals(second, read("temp/c2/doc.json", Optional.empty()), "the newer version stays");

        ReelvaultException gone = failure(store().putIf(
                        key("temp/c2/none.json"),
                        Optional.of(v1.etag()),
                        chunked(randomBytes(10, 45), 64),
                        OptionalLong.of(10),
                        "application/json"));
        assertTrue(gone instanceof PreconditionFailedException, "If-Match where nothing is fails: " + gone);
        assertTrue(store().head(key("temp/c2/none.json")).await().atMost(WAIT).isEmpty(), "and writes nothing");
        awaitNoLeftovers();
    }

    /**
     * Whether the backend checks a conditional write's condition and writes in one atomic step. False only for test
     * servers that check and then write (s3proxy's filesystem store): the service then relies on its Redis leases.
     */
    protected boolean conditionalWritesAreAtomic() {
        return true;
    }

    /** Read-modify-write of one counter by many concurrent writers, each retrying its conditional write: no increment is lost. */
    @Test
    void concurrentReadModifyWritesWithConditionalWritesLoseNoUpdate() throws Exception {
        Assumptions.assumeTrue(
                conditionalWritesAreAtomic(),
                "this server checks If-Match and then writes, in two steps: concurrent writers can both pass");
        ObjectKey counter = key("temp/c3/counter.json");
        put("temp/c3/counter.json", "0".getBytes(StandardCharsets.US_ASCII));
        int workers = 6;
        int increments = 5;
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < increments; i++) {
                        while (true) {
                            ObjectContent c = store().get(counter, Optional.empty())
                                    .await()
                                    .atMost(WAIT);
                            String etag = c.info().etag();
                            int value = Integer.parseInt(new String(
                                    c.body()
                                            .collect()
                                            .in(ByteArrayOutputStream::new, (o, b) -> {
                                                byte[] a = new byte[b.remaining()];
                                                b.get(a);
                                                o.write(a, 0, a.length);
                                            })
                                            .await()
                                            .atMost(WAIT)
                                            .toByteArray(),
                                    StandardCharsets.US_ASCII));
                            byte[] next = Integer.toString(value + 1).getBytes(StandardCharsets.US_ASCII);
                            try {
                                store().putIf(
                                                counter,
                                                Optional.of(etag),
                                                Multi.createFrom().item(ByteBuffer.wrap(next)),
                                                OptionalLong.of(next.length),
                                                "application/json")
                                        .await()
                                        .atMost(WAIT);
                                break;
                            } catch (PreconditionFailedException lost) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(WAIT.toSeconds() * 4, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                Integer.toString(workers * increments),
                new String(read("temp/c3/counter.json", Optional.empty()), StandardCharsets.US_ASCII),
                "every increment counted (" + conflicts.get() + " conditional writes lost a race and were retried)");
    }

    @Test
    void overwriteReplacesContentAndEtag() {
        ObjectInfo first = put("temp/j1/over.tmp", randomBytes(1000, 2));
        byte[] second = randomBytes(500, 3);
        ObjectInfo replaced = put("temp/j1/over.tmp", second);
        assertArrayEquals(second, read("temp/j1/over.tmp", Optional.empty()));
        assertEquals(500, replaced.size());
        assertNotEquals(first.etag(), replaced.etag());
    }

    @Test
    void putIfAbsentCreatesOnceAndNeverReplaces() {
        byte[] first = randomBytes(3000, 40);
        PutResult stored = store().putIfAbsent(
                        key("uploads/u/upload_20260101_eeeeeeeeeeee/original.png"),
                        chunked(first, 1000),
                        OptionalLong.of(first.length),
                        "image/png")
                .await()
                .atMost(WAIT);
        assertEquals(sha256(first), stored.sha256());
        for (OptionalLong length : List.of(OptionalLong.of(3000), OptionalLong.empty())) {
            ReelvaultException refused = failure(store().putIfAbsent(
                            key("uploads/u/upload_20260101_eeeeeeeeeeee/original.png"),
                            chunked(randomBytes(3000, 41), 1000),
                            length,
                            "image/png"));
            assertEquals(ErrorCode.CONFLICT, refused.code());
        }
        assertArrayEquals(first, read("uploads/u/upload_20260101_eeeeeeeeeeee/original.png", Optional.empty()));
        assertEquals(
                stored.info().etag(),
                store().head(key("uploads/u/upload_20260101_eeeeeeeeeeee/original.png"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .etag());
        assertNoLeftovers();
        store().delete(key("uploads/u/upload_20260101_eeeeeeeeeeee/original.png"))
                .await()
                .atMost(WAIT);
        store().putIfAbsent(
                        key("uploads/u/upload_20260101_eeeeeeeeeeee/original.png"),
                        chunked(first, 1000),
                        OptionalLong.of(first.length),
                        "image/png")
                .await()
                .atMost(WAIT);
        assertArrayEquals(
                first,
                read("uploads/u/upload_20260101_eeeeeeeeeeee/original.png", Optional.empty()),
                "a deleted key can be created again");
    }

    @Test
    void concurrentPutIfAbsentStoresExactlyOne() throws Exception {
        int writers = 6;
        List<Uni<PutResult>> puts = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            puts.add(store().putIfAbsent(
                            key("temp/race/once.tmp"),
                            chunked(randomBytes(20_000, 50 + i), 4096),
                            OptionalLong.of(20_000),
                            "application/octet-stream"));
        }
        List<Object> outcomes = Uni.join()
                .all(puts.stream()
                        .map(u -> u.map(r -> (Object) r).onFailure().recoverWithItem(e -> e))
                        .toList())
                .andFailFast()
                .await()
                .atMost(WAIT);
        List<PutResult> won = outcomes.stream()
                .filter(o -> o instanceof PutResult)
                .map(o -> (PutResult) o)
                .toList();
        assertEquals(1, won.size(), "exactly one writer wins: " + outcomes);
        for (Object o : outcomes) {
            if (!(o instanceof PutResult)) {
                assertEquals(ErrorCode.CONFLICT, ((ReelvaultException) o).code(), String.valueOf(o));
            }
        }
        assertEquals(won.get(0).sha256(), sha256(read("temp/race/once.tmp", Optional.empty())));
        assertNoLeftovers();
    }

    @Test
    void ranges() {
        byte[] data = randomBytes(1000, 4);
        put("temp/j1/range.tmp", data);
        assertArrayEquals(
                slice(data, 0, 1), read("temp/j1/range.tmp", Optional.of(ByteRange.fromTo(0, 0))), "first byte");
        assertArrayEquals(
                slice(data, 999, 1000),
                read("temp/j1/range.tmp", Optional.of(ByteRange.fromTo(999, 999))),
                "last byte");
        assertArrayEquals(
                slice(data, 990, 1000), read("temp/j1/range.tmp", Optional.of(ByteRange.suffix(10))), "suffix");
        assertArrayEquals(
                data, read("temp/j1/range.tmp", Optional.of(ByteRange.suffix(5000))), "suffix longer than object");
        assertArrayEquals(
                slice(data, 500, 1000), read("temp/j1/range.tmp", Optional.of(ByteRange.from(500))), "open end");
        assertArrayEquals(
                slice(data, 995, 1000),
                read("temp/j1/range.tmp", Optional.of(ByteRange.fromTo(995, 5000))),
                "end past the object is clamped");
        ObjectContent c = store().get(key("temp/j1/range.tmp"), Optional.of(ByteRange.fromTo(10, 19)))
                .await()
                .atMost(WAIT);
        assertEquals("bytes 10-19/1000", c.range().orElseThrow().contentRange());
        c.body().subscribe().asIterable().forEach(b -> {});
        ReelvaultException past = failure(store().get(key("temp/j1/range.tmp"), Optional.of(ByteRange.from(1000))));
        assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, past.code());
        assertEquals("bytes */1000", past.headers().get("Content-Range"));
    }

    @Test
    void missingObjects() {
        assertTrue(store().head(key("temp/none/x.tmp")).await().atMost(WAIT).isEmpty());
        assertEquals(
                ErrorCode.NOT_FOUND,
                failure(store().get(key("temp/none/x.tmp"), Optional.empty())).code());
        store().delete(key("temp/none/x.tmp")).await().atMost(WAIT); // idempotent
    }

    @Test
    void listByPrefixInKeyOrderWithSizes() {
        put("uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png", new byte[3]);
        put("uploads/u1/upload_20260101_aaaaaaaaaaaa/metadata.json", new byte[5]);
        put("uploads/u1/upload_20260102_bbbbbbbbbbbb/original.png", new byte[7]);
        put("uploads/u1.b/x.png", new byte[1]);
        put("uploads/u10/upload_20260101_cccccccccccc/original.png", new byte[1]);
        put("uploads/u2/upload_20260101_dddddddddddd/original.png", new byte[1]);
        put("temp/j/a.tmp", new byte[1]);

        List<ObjectInfo> u1 = list("uploads/u1/", null);
        assertEquals(
                List.of(
                        "uploads/u1/upload_20260101_aaaaaaaaaaaa/metadata.json",
                        "uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png",
                        "uploads/u1/upload_20260102_bbbbbbbbbbbb/original.png"),
                keys(u1));
        assertEquals(List.of(5L, 3L, 7L), u1.stream().map(ObjectInfo::size).toList());
        assertTrue(u1.stream().allMatch(o -> o.lastModified() != null && o.etag() != null));

        assertEquals(
                List.of(
                        "uploads/u1.b/x.png",
                        "uploads/u1/upload_20260101_aaaaaaaaaaaa/metadata.json",
                        "uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png",
                        "uploads/u1/upload_20260102_bbbbbbbbbbbb/original.png",
                        "uploads/u10/upload_20260101_cccccccccccc/original.png"),
                keys(list("uploads/u1", null)),
                "a partial segment is a plain string prefix, listed in byte order");
        assertEquals(
                List.of("uploads/u1/upload_20260102_bbbbbbbbbbbb/original.png"),
                keys(list("uploads/u1/upload_20260102", null)));
        assertEquals(
                List.of("uploads/u1/upload_20260102_bbbbbbbbbbbb/original.png"),
                keys(list("uploads/u1/", "uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png")),
                "start after");
        assertEquals(7, list("", null).size(), "the empty prefix lists everything");
        assertEquals(List.of(), list("uploads/nobody/", null));
    }

    @Test
    void listPagesThroughManyObjects() {
        // written 16 at a time: one after the other, the 1205 writes to s3proxy were most of the test's 13 s
        for (int from = 0; from < 1205; from += 16) {
            List<Uni<PutResult>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(from + 16, 1205); i++) {
                byte[] data = {(byte) i};
                batch.add(store().put(
                                key(String.format("temp/many/f%05d.tmp", i)),
                                chunked(data, 8192),
                                OptionalLong.of(data.length),
                                "application/octet-stream"));
            }
            Uni.join().all(batch).andFailFast().await().atMost(WAIT);
        }
        List<ObjectInfo> all = list("temp/many/", null);
        assertEquals(1205, all.size());
        assertEquals("temp/many/f01204.tmp", all.get(1204).key().value());
        assertEquals(5, list("temp/many/", "temp/many/f01199.tmp").size());
    }

    @Test
    void deleteManyRemovesGivenKeysAndIgnoresMissingOnes() {
        put("temp/d/a.tmp", new byte[1]);
        put("temp/d/b.tmp", new byte[1]);
        put("temp/d/c.tmp", new byte[1]);
        store().deleteMany(List.of(key("temp/d/a.tmp"), key("temp/d/c.tmp"), key("temp/d/missing.tmp")))
                .await()
                .atMost(WAIT);
        assertEquals(List.of("temp/d/b.tmp"), keys(list("temp/d/", null)));
        store().delete(key("temp/d/b.tmp")).await().atMost(WAIT);
        assertEquals(List.of(), list("temp/", null));
    }

    @Test
    void writeCancelledMidStreamLeavesNoObject() throws Exception {
        byte[] old = randomBytes(100, 5);
        put("temp/c/obj.tmp", old);
        CountDownLatch someConsumed = new CountDownLatch(3);
        AtomicInteger emitted = new AtomicInteger();
        // a body that sends a few chunks and then stalls, like a client that stops sending
        Multi<ByteBuffer> stalling = Multi.createFrom()
                .<ByteBuffer>emitter(em -> {
                    for (int i = 0; i < 3; i++) {
                        em.emit(ByteBuffer.wrap(randomBytes(4096, i)));
                        emitted.incrementAndGet();
                    }
                })
                .onItem()
                .invoke(b -> someConsumed.countDown());
        Cancellable running = store().put(
                        key("temp/c/obj.tmp"), stalling, OptionalLong.of(1_000_000), "application/octet-stream")
                .subscribe()
                .with(i -> fail("a stalled write must not complete"), e -> {});
        assertTrue(someConsumed.await(10, TimeUnit.SECONDS));
        running.cancel();
        awaitNoLeftovers();
        assertArrayEquals(old, read("temp/c/obj.tmp", Optional.empty()), "the previous version is untouched");
    }

    @Test
    void failedBodyLeavesNoObject() {
        Multi<ByteBuffer> failing = Multi.createBy()
                .concatenating()
                .streams(
                        Multi.createFrom().item(ByteBuffer.wrap(randomBytes(10_000, 6))),
                        Multi.createFrom()
                                .failure(new ReelvaultException(ErrorCode.INVALID_REQUEST, "client went away")));
        ReelvaultException e =
                failure(store().put(key("temp/f/obj.tmp"), failing, OptionalLong.empty(), "application/octet-stream"));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), "the body's own error passes through");
        assertTrue(store().head(key("temp/f/obj.tmp")).await().atMost(WAIT).isEmpty());
        awaitNoLeftovers();
    }

    /** A body of known length that stops, then fails (a client gone silent, cut by the idle deadline): nothing stays. */
    @Test
    void failedBodyOfKnownLengthLeavesNoObject() {
        Multi<ByteBuffer> stalled = Multi.createBy()
                .concatenating()
                .streams(
                        Multi.createFrom().item(ByteBuffer.wrap(randomBytes(70_000, 16))),
                        Multi.createFrom()
                                .<ByteBuffer>emitter(em -> CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)
                                        .execute(() -> em.fail(new ReelvaultException(
                                                ErrorCode.REQUEST_TIMEOUT, "the body stalled")))));
        ReelvaultException e = failure(
                store().put(key("temp/f/known.tmp"), stalled, OptionalLong.of(200_000), "application/octet-stream"));
        assertEquals(ErrorCode.REQUEST_TIMEOUT, e.code(), "the body's own error passes through");
        assertTrue(store().head(key("temp/f/known.tmp")).await().atMost(WAIT).isEmpty(), "nothing of it is stored");
        awaitNoLeftovers();
    }

    @Test
    void bodyLengthMustMatchDeclaredLength() {
        byte[] data = randomBytes(100, 7);
        assertEquals(
                ErrorCode.LENGTH_MISMATCH,
                failure(store().put(
                                        key("temp/l/short.tmp"),
                                        chunked(data, 30),
                                        OptionalLong.of(101),
                                        "application/octet-stream"))
                        .code());
        assertEquals(
                ErrorCode.LENGTH_MISMATCH,
                failure(store().put(
                                        key("temp/l/long.tmp"),
                                        chunked(data, 30),
                                        OptionalLong.of(99),
                                        "application/octet-stream"))
                        .code());
        assertTrue(store().head(key("temp/l/short.tmp")).await().atMost(WAIT).isEmpty());
        assertTrue(store().head(key("temp/l/long.tmp")).await().atMost(WAIT).isEmpty());
        awaitNoLeftovers();
    }

    @Test
    void readersNeverSeeAPartialObject() throws Exception {
        byte[] v1 = randomBytes(2000, 8);
        put("temp/r/obj.tmp", v1);
        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        byte[] v2 = randomBytes(4000, 9);
        Multi<ByteBuffer> slow = Multi.createFrom()
                .<ByteBuffer>emitter(em -> new Thread(() -> {
                            em.emit(ByteBuffer.wrap(v2, 0, 2000).slice());
                            halfway.countDown();
                            try {
                                resume.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            em.emit(ByteBuffer.wrap(v2, 2000, 2000).slice());
                            em.complete();
                        })
                        .start());
        var done = store().put(key("temp/r/obj.tmp"), slow, OptionalLong.of(4000), "application/octet-stream")
                .subscribeAsCompletionStage();
        assertTrue(halfway.await(10, TimeUnit.SECONDS));
        Thread.sleep(100); // let the first half reach the backend
        assertArrayEquals(v1, read("temp/r/obj.tmp", Optional.empty()), "mid-write, readers see the old version");
        assertEquals(
                2000,
                store().head(key("temp/r/obj.tmp"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .size());
        resume.countDown();
        done.get(30, TimeUnit.SECONDS);
        assertArrayEquals(v2, read("temp/r/obj.tmp", Optional.empty()));
    }

    private void awaitNoLeftovers() {
        Poll.untilPasses(Duration.ofSeconds(10), this::assertNoLeftovers);
    }

    protected List<ObjectInfo> list(String prefix, String startAfter) {
        return store().list(
                        new KeyPrefix(prefix), Optional.ofNullable(startAfter).map(ObjectKey::parse))
                .collect()
                .asList()
                .await()
                .atMost(WAIT);
    }

    private static List<String> keys(List<ObjectInfo> infos) {
        return infos.stream().map(o -> o.key().value()).toList();
    }

    private static byte[] slice(byte[] data, int from, int to) {
        return Arrays.copyOfRange(data, from, to);
    }
}
