package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.reelvault.common.Sha256;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.TusUploadId;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ObjectStoreContract;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.storage.SignedUrls.SignedUrl;
import io.reelvault.support.HeldExecutor;
import io.reelvault.support.Poll;
import io.reelvault.support.S3ProxyServer;
import io.reelvault.support.Samples;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The shared contract on the S3 backend, against s3proxy over HTTP with SigV4, plus multipart and presigning. */
class S3ObjectStoreContractTest extends ObjectStoreContract {
    static final long MIB = 1024 * 1024;

    @TempDir
    static Path data;

    static S3ProxyServer server;
    static int buckets;

    S3AsyncClient client;
    ExecutorService uploaders;
    S3ObjectStore store;
    String bucket;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer(data).start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop();
    }

    @BeforeEach
    void open() {
        bucket = "contract-" + (++buckets);
        server.createBucket(bucket);
        client = server.client();
        uploaders = Executors.newCachedThreadPool();
        store = storeOn(client, uploaders, sse());
    }

    /** A store of this test's bucket, 6 MiB multipart threshold, 5 MiB parts, 3 in flight, 20 MiB of buffers. */
    S3ObjectStore storeOn(S3AsyncClient s3, ExecutorService executor, ServerSideEncryption encryption) {
        return new S3ObjectStore(
                s3,
                server.presigner(),
                bucket,
                new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                executor,
                encryption,
                Clock.systemUTC());
    }

    /** The encryption every write requests: none here (s3proxy's filesystem store has none); see the SSE subclass. */
    ServerSideEncryption sse() {
        return null;
    }

    @AfterEach
    void close() {
        uploaders.shutdownNow();
        client.close();
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    /**
     * s3proxy 4.1's filesystem store honours If-Match and If-None-Match (the sequential contract tests pass), but checks
     * the condition and then writes in two steps: of concurrent writers conditioned on one ETag, several can pass (seen:
     * 19 of 30 increments kept). AWS S3 and MinIO check atomically. The service's multi-replica test therefore runs with
     * Redis leases as well (see README, "Several replicas").
     */
    @Override
    protected boolean conditionalWritesAreAtomic() {
        return false;
    }

    @Override
    protected void assertNoLeftovers() {
        var uploads = client.listMultipartUploads(b -> b.bucket(bucket)).join().uploads();
        assertEquals(0, uploads.size(), "no multipart upload is left in progress");
    }

    /**
     * Above the copy limit (5 GiB on S3; 5 MiB here) a move copies the source in UploadPartCopy ranges into a multipart
     * upload of the target, conditioned on the source's ETag; the target then holds the same bytes and the source is gone.
     * A changed source aborts the copy: nothing at the target, no upload left.
     */
    @Test
    void aMoveAboveTheCopyLimitCopiesInParts() {
        S3Bucket target = new S3Bucket(client, bucket, sse(), Clock.systemUTC(), Duration.ofSeconds(10));
        ObjectCopies copies =
                new ObjectCopies(target, new ObjectReads(target), new ObjectDeletes(target), 5 * MIB, 5 * MIB);
        byte[] staged = randomBytes((int) (12 * MIB + 5), 3);
        ObjectInfo source = put("compositions/c/multipart/u/final.mp4", staged);

        assertTrue(
                failure(copies.move(
                                key("compositions/c/multipart/u/final.mp4"),
                                "\"other\"",
                                key("compositions/c/final.mp4")))
                        instanceof PreconditionFailedException);
        assertTrue(
                store.head(key("compositions/c/final.mp4")).await().atMost(WAIT).isEmpty());
        assertNoLeftovers();

        ObjectInfo moved = copies.move(
                        key("compositions/c/multipart/u/final.mp4"), source.etag(), key("compositions/c/final.mp4"))
                .await()
                .atMost(WAIT);
        assertEquals(staged.length, moved.size());
        assertArrayEquals(staged, read("compositions/c/final.mp4", Optional.empty()));
        assertTrue(store.head(key("compositions/c/multipart/u/final.mp4"))
                .await()
                .atMost(WAIT)
                .isEmpty());
        assertNoLeftovers();
    }

    /**
     * A multipart upload that nobody finishes (its process died) is aborted once it is idle past the given instant;
     * one this store is running is not, however old, nor one outside the service's areas; and at stop
     * ({@link PendingWrites#abortAll}) the running one is aborted too and later writes are refused.
     */
    @Test
    void abandonedMultipartUploadsAreAbortedButNotARunningOneNorForeignOnes() throws Exception {
        String dead = client.createMultipartUpload(
                        b -> b.bucket(bucket).key("uploads/u/upload_20260101_aaaaaaaaaaaa/original.mp4"))
                .join()
                .uploadId();
        client.uploadPart(
                        b -> b.bucket(bucket)
                                .key("uploads/u/upload_20260101_aaaaaaaaaaaa/original.mp4")
                                .uploadId(dead)
                                .partNumber(1),
                        AsyncRequestBody.fromBytes(new byte[1024]))
                .join();
        client.createMultipartUpload(b -> b.bucket(bucket).key("not-ours/backup.tar"))
                .join();
        AtomicReference<MultiEmitter<? super ByteBuffer>> body = new AtomicReference<>();
        CompletableFuture<PutResult> running = store.put(
                        key("temp/j/big.bin"),
                        Multi.createFrom().<ByteBuffer>emitter(body::set),
                        OptionalLong.empty(),
                        "application/octet-stream")
                .subscribeAsCompletionStage();
        Poll.until(WAIT, "the body subscribed", () -> body.get() != null);
        body.get().emit(ByteBuffer.wrap(randomBytes((int) (5 * MIB + 1), 70))); // one part full: the upload is created
        Poll.until(
                WAIT,
                "three multipart uploads",
                () -> client.listMultipartUploads(b -> b.bucket(bucket))
                                .join()
                                .uploads()
                                .size()
                        == 3);

        assertEquals(
                1,
                store.removeAbandoned(Instant.now().plusSeconds(60)),
                "all look idle: only the dead one of ours goes");
        var left = client.listMultipartUploads(b -> b.bucket(bucket)).join().uploads().stream()
                .map(u -> u.key())
                .sorted()
                .toList();
        assertEquals(List.of("not-ours/backup.tar", "temp/j/big.bin"), left);

        assertEquals(1, store.abortAll());
        Poll.until(WAIT, "the running upload failed", running::isCompletedExceptionally);
        assertEquals(
                List.of("not-ours/backup.tar"),
                client.listMultipartUploads(b -> b.bucket(bucket)).join().uploads().stream()
                        .map(u -> u.key())
                        .toList(),
                "the running one was aborted at stop");
        var later = failure(store.put(
                key("temp/j/later.bin"), chunked(new byte[10], 10), OptionalLong.of(10), "application/octet-stream"));
        assertEquals(ErrorCode.SHUTTING_DOWN, later.code(), later.toString());
    }

    /** A conditional write over the multipart threshold carries its condition on CompleteMultipartUpload. */
    @Test
    void conditionalMultipartWriteReplacesOnlyTheVersionItRead() {
        ObjectKey k = ObjectKey.parse("compositions/c/final.mp4");
        String v1 = put("compositions/c/final.mp4", randomBytes(1000, 60)).etag();
        byte[] big = randomBytes((int) (7 * MIB), 61);
        PutResult v2 = store.putIf(k, Optional.of(v1), chunked(big, 65536), OptionalLong.empty(), "video/mp4")
                .await()
                .atMost(WAIT);
        assertEquals(sha256(big), v2.sha256());
        assertArrayEquals(big, read("compositions/c/final.mp4", Optional.empty()));

        var stale = failure(store.putIf(
                k,
                Optional.of(v1),
                chunked(randomBytes((int) (7 * MIB), 62), 65536),
                OptionalLong.of(7 * MIB),
                "video/mp4"));
        assertTrue(stale instanceof PreconditionFailedException, "stale: " + stale);
        assertEquals(sha256(big), sha256(read("compositions/c/final.mp4", Optional.empty())), "the newer object stays");
        assertNoLeftovers();
    }

    @Test
    void knownLengthMultipartRoundTrips() {
        byte[] data = randomBytes((int) (12 * MIB + 123), 11); // 3 parts of 5 MiB, 5 MiB, 2 MiB
        PutResult r = store.put(
                        key("compositions/c/final.mp4"),
                        chunked(data, 65536),
                        OptionalLong.of(data.length),
                        "video/mp4")
                .await()
                .atMost(WAIT);
        assertEquals(sha256(data), r.sha256());
        assertEquals(data.length, r.info().size());
        assertArrayEquals(data, read("compositions/c/final.mp4", Optional.empty()));
        assertTrue(
                r.info().etag().contains("-3"), "a three-part ETag: " + r.info().etag());
        assertNoLeftovers();
    }

    /**
     * Part buffers are made of arrays reused from part to part once S3 has stored a part ({@link PartChunks}): within
     * one upload (three parts, two in flight while the third fills) and from one upload to the next, each object
     * keeps exactly its own bytes.
     */
    @Test
    void multipartUploadsOneAfterAnotherReuseThePartArraysAndKeepTheirOwnBytes() {
        byte[] first = randomBytes((int) (12 * MIB + 123), 21);
        byte[] second = randomBytes((int) (11 * MIB + 5), 22);
        assertEquals(sha256(first), putVideo("compositions/r1/final.mp4", first).sha256());
        int kept = store.partArraysKept();
        assertTrue(kept >= 5 * MIB / PartReader.CHUNK, "the arrays of the parts S3 stored are kept: " + kept);
        assertEquals(
                sha256(second), putVideo("compositions/r2/final.mp4", second).sha256());
        assertArrayEquals(first, read("compositions/r1/final.mp4", Optional.empty()));
        assertArrayEquals(second, read("compositions/r2/final.mp4", Optional.empty()));
        assertTrue(store.partArraysKept() <= 20 * MIB / PartReader.CHUNK, "never more than the budget's worth is kept");
        assertNoLeftovers();
    }

    /** {@code data} written to {@code key} in 64 KiB buffers, its length declared. */
    PutResult putVideo(String key, byte[] data) {
        return store.put(key(key), chunked(data, 65536), OptionalLong.of(data.length), "video/mp4")
                .await()
                .atMost(WAIT);
    }

    /**
     * tus appends fill their parts from the same reused arrays ({@link PartChunks}): each part and each tail gives its
     * arrays back once S3 has stored it, and the upload's bytes are exactly the ones sent (three appends, each ending
     * inside a part, so that the next begins with the stored tail).
     */
    @Test
    void tusAppendsReuseThePartArraysAndKeepTheirOwnBytes() {
        ResumableWrites writes = store.capability(ResumableWrites.class).orElseThrow();
        TusUploadId id = TusUploadId.generate(Clock.systemUTC());
        writes.create(id, new byte[] {1}).await().atMost(WAIT);
        byte[] bytes = randomBytes((int) (12 * MIB + 5), 23);
        OptionalLong length = OptionalLong.of(bytes.length);
        long offset = 0;
        for (int end : new int[] {(int) (6 * MIB), (int) (12 * MIB), bytes.length}) {
            byte[] piece = Arrays.copyOfRange(bytes, (int) offset, end);
            offset = writes.append(id, offset, length, chunked(piece, 65536), e -> true)
                    .await()
                    .atMost(WAIT);
            assertEquals(end, offset);
        }
        int kept = store.partArraysKept();
        assertTrue(kept >= 5 * MIB / PartReader.CHUNK, "the arrays of the parts and tails S3 stored are kept: " + kept);
        var back = new java.io.ByteArrayOutputStream();
        writes.read(id, 0).subscribe().asIterable().forEach(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            back.writeBytes(a);
        });
        assertArrayEquals(bytes, back.toByteArray());
        writes.delete(id).await().atMost(WAIT);
    }

    @Test
    void aCreateOnlyMultipartUploadNeverReplacesAndLeavesNoUpload() {
        byte[] first = randomBytes((int) (7 * MIB), 18); // over the 6 MiB threshold: two parts
        PutResult stored = store.putIfAbsent(
                        key("temp/j/once.tmp"),
                        chunked(first, 65536),
                        OptionalLong.of(first.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        assertEquals(sha256(first), stored.sha256());
        for (OptionalLong length : List.of(OptionalLong.of(first.length), OptionalLong.empty())) {
            var refused = failure(store.putIfAbsent(
                    key("temp/j/once.tmp"),
                    chunked(randomBytes((int) (7 * MIB), 19), 65536),
                    length,
                    "application/octet-stream"));
            assertEquals(ErrorCode.CONFLICT, refused.code(), refused.getMessage());
        }
        assertEquals(sha256(first), sha256(read("temp/j/once.tmp", Optional.empty())));
        assertNoLeftovers();
    }

    @Test
    void unknownLengthMultipartRoundTrips() {
        byte[] data = randomBytes((int) (11 * MIB), 12);
        PutResult r = store.put(
                        key("temp/j/big.tmp"),
                        chunked(data, 8192, 100_000),
                        OptionalLong.empty(),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        assertEquals(sha256(data), r.sha256());
        assertArrayEquals(data, read("temp/j/big.tmp", Optional.empty()));
        assertNoLeftovers();
    }

    /** {@code count} chunks of 1 MiB, generated on demand and hashed as they go (nothing held whole). */
    static Multi<ByteBuffer> generated(int count, MessageDigest sha) {
        return Multi.createFrom().range(0, count).map(i -> {
            byte[] chunk = randomBytes(1024 * 1024, 1000 + i);
            sha.update(chunk);
            return ByteBuffer.wrap(chunk);
        });
    }

    @Test
    void twentyFivePartUploadRoundTrips() throws Exception {
        var sent = Sha256.newDigest();
        PutResult r = store.put(
                        key("compositions/c25/final.mp4"), generated(125, sent), OptionalLong.empty(), "video/mp4")
                .await()
                .atMost(Duration.ofMinutes(3));
        String expected = HexFormat.of().formatHex(sent.digest());
        assertEquals(expected, r.sha256());
        assertEquals(125 * MIB, r.info().size());
        assertTrue(
                r.info().etag().contains("-25"), "a 25-part ETag: " + r.info().etag());
        var back = Sha256.newDigest();
        store.get(key("compositions/c25/final.mp4"), Optional.empty())
                .await()
                .atMost(WAIT)
                .body()
                .subscribe()
                .asIterable()
                .forEach(b -> back.update(b));
        assertEquals(expected, HexFormat.of().formatHex(back.digest()));
        assertNoLeftovers();
    }

    @Test
    void serverStoppedMidUploadIsA5xxAndLeavesNothingOnceItIsBack() throws Exception {
        S3ProxyServer flaky = new S3ProxyServer(data.resolve("flaky")).start();
        flaky.createBucket("flaky");
        S3AsyncClient flakyClient = flaky.client();
        try {
            S3ObjectStore flakyStore = new S3ObjectStore(
                    flakyClient,
                    flaky.presigner(),
                    "flaky",
                    new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                    uploaders,
                    null,
                    Clock.systemUTC());
            CountDownLatch firstParts = new CountDownLatch(1);
            CountDownLatch serverDown = new CountDownLatch(1);
            byte[] chunk = randomBytes(1024 * 1024, 16);
            Multi<ByteBuffer> body = Multi.createFrom()
                    .<ByteBuffer>emitter(em -> new Thread(() -> {
                                for (int i = 0; i < 11; i++) {
                                    em.emit(ByteBuffer.wrap(chunk));
                                }
                                firstParts.countDown();
                                try {
                                    serverDown.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                for (int i = 0; i < 10; i++) {
                                    em.emit(ByteBuffer.wrap(chunk));
                                }
                                em.complete();
                            })
                            .start());
            var result = flakyStore
                    .put(key("temp/f/flaky.tmp"), body, OptionalLong.empty(), "application/octet-stream")
                    .subscribeAsCompletionStage();
            assertTrue(firstParts.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (flakyClient
                            .listMultipartUploads(b -> b.bucket("flaky"))
                            .join()
                            .uploads()
                            .isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20); // wait until the multipart upload exists on the server
            }
            flaky.stop();
            serverDown.countDown();
            try {
                result.get(60, TimeUnit.SECONDS);
                fail("the upload cannot succeed with the server down");
            } catch (ExecutionException e) {
                var code = ((ReelvaultException) e.getCause()).code();
                assertTrue(code.status() >= 500, "a coded 5xx: " + code);
            }
            flaky.start();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!flakyClient
                            .listMultipartUploads(b -> b.bucket("flaky"))
                            .join()
                            .uploads()
                            .isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100); // the abort is retried in the background
            }
            assertEquals(
                    0,
                    flakyClient
                            .listMultipartUploads(b -> b.bucket("flaky"))
                            .join()
                            .uploads()
                            .size(),
                    "the multipart upload was aborted once the server came back");
            assertTrue(
                    flakyStore
                            .head(key("temp/f/flaky.tmp"))
                            .await()
                            .atMost(WAIT)
                            .isEmpty(),
                    "no object");
            flakyStore
                    .put(
                            key("temp/f/after.tmp"),
                            Multi.createFrom().item(ByteBuffer.wrap(chunk)),
                            OptionalLong.of(chunk.length),
                            "application/octet-stream")
                    .await()
                    .atMost(WAIT);
        } finally {
            flakyClient.close();
            flaky.stop();
        }
    }

    @Test
    void cancelledMultipartLeavesNoObjectAndNoUpload() throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        byte[] chunk = randomBytes(1024 * 1024, 13);
        Multi<ByteBuffer> stalling = Multi.createFrom().<ByteBuffer>emitter(em -> {
            for (int i = 0; i < 12; i++) {
                em.emit(ByteBuffer.wrap(chunk));
            }
            sent.countDown(); // then nothing more: the client stalled
        });
        Cancellable running = store.put(
                        key("temp/c/stalled.tmp"), stalling, OptionalLong.empty(), "application/octet-stream")
                .subscribe()
                .with(r -> fail("must not complete"), e -> {});
        assertTrue(sent.await(10, TimeUnit.SECONDS));
        Thread.sleep(500); // let parts reach the server
        running.cancel();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.listMultipartUploads(b -> b.bucket(bucket))
                        .join()
                        .uploads()
                        .isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertNoLeftovers();
        assertTrue(store.head(key("temp/c/stalled.tmp")).await().atMost(WAIT).isEmpty());
    }

    /** The headers a client must send with a presigned URL: those it is told to, and those the signature covers. */
    static Set<String> headersTheClientSends(SignedUrl url) {
        Set<String> sent = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        sent.addAll(url.requiredHeaders().keySet());
        var m = Pattern.compile("[?&]X-Amz-SignedHeaders=([^&]+)")
                .matcher(url.url().toString());
        assertTrue(m.find(), "a SigV4 presigned URL lists its signed headers: " + url.url());
        for (String h : URLDecoder.decode(m.group(1), StandardCharsets.UTF_8).split(";")) {
            sent.add(h);
        }
        sent.remove("host"); // the browser's own, never subject to CORS
        return sent;
    }

    @Test
    void everyHeaderAPresignedPutRequiresIsAllowedByTheBucketsCorsRule() {
        var rule = BucketConfiguration.cors(BucketConfiguration.DEFAULT_ALLOWED_ORIGINS)
                .corsRules()
                .get(0);
        assertTrue(rule.allowedMethods().contains("PUT"));
        Set<String> allowed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        allowed.addAll(rule.allowedHeaders());
        for (var sse : Arrays.asList(ServerSideEncryption.AES256, ServerSideEncryption.AWS_KMS, null)) {
            S3ObjectStore s = storeOn(client, uploaders, sse);
            var url = s.sign(
                    "PUT",
                    key("uploads/u/upload_20260101_cccccccccccc/original.png"),
                    Duration.ofMinutes(15),
                    Map.of("Content-Type", "image/png", "Content-Length", "2000"));
            Set<String> sent = headersTheClientSends(url);
            assertTrue(sent.contains("Content-Type"), "the type is bound: " + sent);
            for (String header : sent) {
                assertTrue(
                        allowed.contains(header) || allowed.contains("*"),
                        "with SSE " + sse + " the URL needs " + header + ", which the CORS rule "
                                + rule.allowedHeaders() + " does not allow: a browser's preflight would fail");
            }
        }
    }

    /**
     * A PUT to a presigned URL with exactly the headers it requires, on a connection of its own: s3proxy may close
     * one after refusing a body, which a pooled connection would only notice on the next request.
     */
    static HttpResponse<Void> presignedPut(HttpClient ignored, SignedUrl url, byte[] body) throws Exception {
        var b = HttpRequest.newBuilder(url.url()).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        url.requiredHeaders().forEach(b::header);
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(b.build(), HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void presignedUrlsNeverOutliveTemporaryCredentials() {
        var expiring = AwsSessionCredentials.builder()
                .accessKeyId(S3ProxyServer.ACCESS_KEY)
                .secretAccessKey(S3ProxyServer.SECRET_KEY)
                .sessionToken("session")
                .expirationTime(Instant.now().plus(Duration.ofMinutes(10)))
                .build();
        var provider = StaticCredentialsProvider.create(expiring);
        try (S3AsyncClient temporary = S3AsyncClient.builder()
                        .endpointOverride(server.endpoint())
                        .forcePathStyle(true)
                        .region(Region.US_EAST_1)
                        .credentialsProvider(provider)
                        .httpClientBuilder(AwsCrtAsyncHttpClient.builder())
                        .build();
                var presigner = S3Presigner.builder()
                        .endpointOverride(server.endpoint())
                        .region(Region.US_EAST_1)
                        .credentialsProvider(provider)
                        .build()) {
            S3ObjectStore s = new S3ObjectStore(
                    temporary,
                    presigner,
                    bucket,
                    new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                    uploaders,
                    null,
                    Clock.systemUTC());
            var url = s.sign("GET", key("temp/x/y.tmp"), Duration.ofHours(6), Map.of());
            assertTrue(url.expiresIn().compareTo(Duration.ofMinutes(9)) <= 0, "capped: " + url.expiresIn());
            assertTrue(
                    url.expiresIn().compareTo(Duration.ofMinutes(8)) > 0,
                    "but not more than needed: " + url.expiresIn());
            var m = Pattern.compile("X-Amz-Expires=(\\d+)").matcher(url.url().toString());
            assertTrue(m.find());
            assertEquals(url.expiresIn().toSeconds(), Long.parseLong(m.group(1)), "the URL says what expires_in says");
        }
    }

    @Test
    void anUnreachableServerIsA503() throws Exception {
        S3ProxyServer deadServer = new S3ProxyServer(data.resolve("dead")).start();
        S3AsyncClient deadClient = deadServer.client();
        deadServer.stop();
        try {
            S3ObjectStore dead = new S3ObjectStore(
                    deadClient,
                    deadServer.presigner(),
                    "nothing",
                    new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                    uploaders,
                    null,
                    Clock.systemUTC());
            var e = failure(dead.head(ObjectKey.parse("temp/x/y.tmp")));
            assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code());
            assertEquals("5", e.headers().get("Retry-After"));
            assertEquals(ErrorCode.STORAGE_UNAVAILABLE, failure(dead.probe()).code());
        } finally {
            deadClient.close();
        }
    }

    /**
     * A tus append cancelled while its first stage runs (reading the upload's progress and its old tail from the bucket
     * into a part buffer, on the store's executor) gives back the buffer budget that stage took for the tail, once the
     * stage ends: Mutiny drops the item of a cancelled stage, so nothing else would.
     */
    @Test
    void anAppendCancelledWhileItPreparesGivesItsBufferBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch stageEnded = new CountDownLatch(1);
        AtomicInteger armed = new AtomicInteger();
        AtomicReference<Thread> stage = new AtomicReference<>();
        // the bucket's client, but once armed its second GetObject (the append's read of the old tail, after that of
        // the progress) waits for the gate first: the append is cancelled meanwhile
        S3AsyncClient gated = (S3AsyncClient) Proxy.newProxyInstance(
                S3AsyncClient.class.getClassLoader(), new Class<?>[] {S3AsyncClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getObject") && armed.get() > 0 && armed.incrementAndGet() == 3) {
                        stage.set(Thread.currentThread());
                        held.countDown();
                        gate.await(10, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(client, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        // the store's executor, telling when the task of that stage has ended
        ThreadPoolExecutor executor = new ThreadPoolExecutor(0, 64, 10, TimeUnit.SECONDS, new SynchronousQueue<>()) {
            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                if (Thread.currentThread() == stage.get()) {
                    stageEnded.countDown();
                }
            }
        };
        try {
            S3ObjectStore gatedStore = storeOn(gated, executor, sse());
            ResumableWrites writes =
                    gatedStore.capability(ResumableWrites.class).orElseThrow();
            TusUploadId id = TusUploadId.generate(Clock.systemUTC());
            writes.create(id, new byte[] {1}).await().atMost(Duration.ofSeconds(10));
            Multi<ByteBuffer> first = Multi.createFrom().item(ByteBuffer.wrap(randomBytes(1000, 7)));
            assertEquals(
                    1000L,
                    writes.append(id, 0, OptionalLong.empty(), first, e -> true)
                            .await()
                            .atMost(Duration.ofSeconds(10)));
            long total = gatedStore.bufferBudget();
            assertEquals(total, gatedStore.bufferBudgetFree(), "the first append holds nothing once done");

            armed.set(1);
            Multi<ByteBuffer> second = Multi.createFrom().item(ByteBuffer.wrap(randomBytes(10, 8)));
            Cancellable append = writes.append(id, 1000, OptionalLong.empty(), second, e -> true)
                    .subscribe()
                    .with(offset -> {}, failure -> {});
            assertTrue(held.await(10, TimeUnit.SECONDS), "the append's first stage reads the old tail");
            append.cancel(); // while that stage runs
            gate.countDown();
            assertTrue(stageEnded.await(10, TimeUnit.SECONDS), "the stage ends");
            writes.settled(id).await().atMost(Duration.ofSeconds(10));
            assertEquals(total, gatedStore.bufferBudgetFree(), "the tail's part buffer is given back");
        } finally {
            gate.countDown();
            executor.shutdownNow();
        }
    }

    /**
     * A tus append cancelled before its first stage has even started (every thread of the store's executor busy): the
     * cancellation does not reach that stage, which still runs once a thread is free. The upload's lease waits for it,
     * its part buffer goes back, and the running digest goes on: the next append completes the upload and its SHA-256 is
     * known without reading the object again.
     */
    @Test
    void anAppendCancelledBeforeItsFirstStageStartsIsSettledOnceThatStageHasRun() throws Exception {
        Duration wait = Duration.ofSeconds(10);
        HeldExecutor executor = new HeldExecutor(64);
        try {
            S3ObjectStore heldStore = storeOn(client, executor, sse());
            ResumableWrites writes = heldStore.capability(ResumableWrites.class).orElseThrow();
            TusUploadId id = TusUploadId.generate(Clock.systemUTC());
            writes.create(id, new byte[] {1}).await().atMost(wait);
            byte[] bytes = randomBytes(1010, 9);
            OptionalLong length = OptionalLong.of(bytes.length);
            Multi<ByteBuffer> first =
                    Multi.createFrom().item(ByteBuffer.wrap(bytes, 0, 1000).slice());
            assertEquals(
                    1000L,
                    writes.append(id, 0, length, first, e -> true).await().atMost(wait));
            long total = heldStore.bufferBudget();

            executor.hold();
            Multi<ByteBuffer> rest =
                    Multi.createFrom().item(ByteBuffer.wrap(bytes, 1000, 10).slice());
            Cancellable append =
                    writes.append(id, 1000, length, rest, e -> true).subscribe().with(offset -> {}, failure -> {});
            Poll.until(wait, "the first stage waits for a thread", () -> executor.held() == 1);
            append.cancel(); // the client went away before the stage started
            CompletableFuture<Void> settled =
                    writes.settled(id).subscribeAsCompletionStage().toCompletableFuture();
            assertFalse(settled.isDone(), "the lease waits for what the first stage makes");
            executor.release();
            settled.get(wait.toSeconds(), TimeUnit.SECONDS);
            assertEquals(total, heldStore.bufferBudgetFree(), "the stage's part buffer is given back");

            Multi<ByteBuffer> again =
                    Multi.createFrom().item(ByteBuffer.wrap(bytes, 1000, 10).slice());
            assertEquals(
                    1010L,
                    writes.append(id, 1000, length, again, e -> true).await().atMost(wait));
            Multi<ByteBuffer> finished = writes.whole(id, bytes.length);
            assertTrue(finished instanceof AdoptableBody, "the finished upload can be adopted");
            assertEquals(
                    Samples.sha256(bytes),
                    ((AdoptableBody) finished).digest().orElseThrow().sha256(),
                    "the running digest went on: known without a read, and the bytes' own");
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * A tus append cancelled while its first stage waits for part-buffer budget that another upload holds (its PATCH
     * stalled mid-part): the stage gives up, so the upload's lease is free at once, not only when the other upload lets
     * go of the budget; nothing of it was stored, and it goes on once the budget is free.
     */
    @Test
    void anAppendCancelledWhileItsFirstStageWaitsForBufferBudgetFreesItsUploadAtOnce() throws Exception {
        Duration wait = Duration.ofSeconds(10);
        S3ObjectStore small = new S3ObjectStore(
                client,
                server.presigner(),
                bucket,
                new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 5 * MIB), // one part's budget in all
                uploaders,
                sse(),
                Clock.systemUTC());
        ResumableWrites writes = small.capability(ResumableWrites.class).orElseThrow();
        TusUploadId waiting = TusUploadId.generate(Clock.systemUTC());
        writes.create(waiting, new byte[] {1}).await().atMost(wait);
        byte[] bytes = randomBytes(1010, 10);
        Multi<ByteBuffer> head =
                Multi.createFrom().item(ByteBuffer.wrap(bytes, 0, 1000).slice());
        assertEquals(
                1000L,
                writes.append(waiting, 0, OptionalLong.empty(), head, e -> true)
                        .await()
                        .atMost(wait));

        // another upload's PATCH sends almost a whole part, then nothing more: it holds the whole budget
        TusUploadId holding = TusUploadId.generate(Clock.systemUTC());
        writes.create(holding, new byte[] {1}).await().atMost(wait);
        Multi<ByteBuffer> stalled = Multi.createBy()
                .concatenating()
                .streams(
                        Multi.createFrom().item(ByteBuffer.wrap(randomBytes((int) (5 * MIB) - 500, 11))),
                        Multi.createFrom().nothing());
        Cancellable holder = writes.append(holding, 0, OptionalLong.empty(), stalled, e -> false)
                .subscribe()
                .with(offset -> {}, failure -> {});
        Poll.until(wait, "the stalled PATCH holds the whole budget", () -> small.bufferBudgetFree() == 0);

        Multi<ByteBuffer> rest =
                Multi.createFrom().item(ByteBuffer.wrap(bytes, 1000, 10).slice());
        Cancellable append = writes.append(waiting, 1000, OptionalLong.empty(), rest, e -> true)
                .subscribe()
                .with(offset -> {}, failure -> {});
        append.cancel(); // its first stage waits (or will wait) for budget to hold the old tail
        writes.settled(waiting).await().atMost(wait); // not only once the other upload lets go
        assertEquals(0, small.bufferBudgetFree(), "the other upload still holds the budget");

        holder.cancel();
        writes.settled(holding).await().atMost(wait);
        Poll.until(wait, "the budget is free again", () -> small.bufferBudgetFree() == small.bufferBudget());
        Multi<ByteBuffer> again =
                Multi.createFrom().item(ByteBuffer.wrap(bytes, 1000, 10).slice());
        assertEquals(
                1010L,
                writes.append(waiting, 1000, OptionalLong.empty(), again, e -> true)
                        .await()
                        .atMost(wait),
                "nothing of the cancelled PATCH was stored: the upload goes on from 1000");
    }
}
