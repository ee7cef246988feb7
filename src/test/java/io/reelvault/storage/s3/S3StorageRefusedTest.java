package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.S3ProxyServer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * S3 refusing the service itself: a bucket deleted under it, a wrong secret key, an access key S3 does not know. Every
 * operation (small put, multipart put of known and unknown length, conditional put, get, head, list, delete, batch
 * delete, the readiness probe) fails with 502 {@code storage_refused}, never with 404 {@code not_found} (which would
 * tell a caller their object is gone when an operator must act) nor with a 503 that invites retrying; a presigned URL
 * is refused by S3 itself. A missing key in a present bucket stays {@code not_found}.
 */
@Timeout(60)
class S3StorageRefusedTest {
    static final long MIB = 1024 * 1024;
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String BUCKET = "refusals";

    @TempDir
    static Path data;

    static S3ProxyServer server;
    /** s3proxy's {@code transient} store, which answers some requests in a missing bucket differently. */
    static S3ProxyServer inMemory;

    static ExecutorService uploaders;
    static final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = new S3ProxyServer(data).start();
        server.createBucket(BUCKET);
        server.createBucket("deleted");
        try (S3AsyncClient s3 = server.client()) {
            s3.deleteBucket(b -> b.bucket("deleted")).join(); // a bucket that existed, deleted under the service
        }
        inMemory = S3ProxyServer.inMemory().start();
        uploaders = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        uploaders.shutdownNow();
        server.stop();
        inMemory.stop();
    }

    /** A store on the given bucket whose client and presigner sign with the given keys. */
    static S3ObjectStore store(String bucket, String accessKey, String secretKey) {
        S3AsyncClient client = server.client(accessKey, secretKey);
        var presigner = server.presigner(accessKey, secretKey);
        opened.add(client);
        opened.add(presigner);
        return new S3ObjectStore(
                client,
                presigner,
                bucket,
                new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                uploaders,
                null,
                Clock.systemUTC());
    }

    static S3ObjectStore refusing(String why) {
        return switch (why) {
            case "missing bucket" -> store("deleted", S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
            case "missing bucket, transient store" -> {
                S3AsyncClient client = inMemory.client();
                opened.add(client);
                yield new S3ObjectStore(
                        client,
                        inMemory.presigner(),
                        "never-created",
                        new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                        uploaders,
                        null,
                        Clock.systemUTC());
            }
            case "wrong secret key" -> store(BUCKET, S3ProxyServer.ACCESS_KEY, "not-the-secret-0123456789");
            case "unknown access key" -> store(BUCKET, "nobody-knows-this-key", S3ProxyServer.SECRET_KEY);
            default -> throw new IllegalArgumentException(why);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"missing bucket", "missing bucket, transient store", "wrong secret key", "unknown access key"})
    void everyOperationIsRefusedAs502(String why) throws Exception {
        S3ObjectStore store = refusing(why);
        ObjectKey key = ObjectKey.parse("uploads/u/upload_20260101_aaaaaaaaaaaa/original.png");
        byte[] small = bytes(1000, 1);
        byte[] big = bytes((int) (7 * MIB), 2); // over the 6 MiB threshold: two parts
        Map<String, Uni<?>> operations = new LinkedHashMap<>();
        operations.put(
                "put small",
                store.put(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(small)),
                        OptionalLong.of(small.length),
                        "image/png"));
        operations.put(
                "put multipart, known length", store.put(key, chunks(big), OptionalLong.of(big.length), "image/png"));
        operations.put("put multipart, unknown length", store.put(key, chunks(big), OptionalLong.empty(), "image/png"));
        operations.put(
                "put if absent",
                store.putIfAbsent(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(small)),
                        OptionalLong.of(small.length),
                        "image/png"));
        operations.put("get", store.get(key, Optional.empty()));
        operations.put("head", store.head(key));
        operations.put(
                "list",
                store.list(new KeyPrefix("uploads/"), Optional.empty())
                        .collect()
                        .asList());
        operations.put("delete", store.delete(key));
        operations.put("delete many", store.deleteMany(List.of(key, ObjectKey.parse("temp/j/x.tmp"))));
        operations.put("readiness probe", store.probe());
        if (why.startsWith("missing bucket")) {
            // s3proxy answers a DELETE or a batch delete in a missing bucket with success (it removes nothing without
            // checking the bucket); AWS S3 answers 404 NoSuchBucket: see aDeleteAnsweredNoSuchBucketIsRefused
            operations.remove("delete");
            operations.remove("delete many");
        }
        List<String> wrong = new ArrayList<>();
        for (var op : operations.entrySet()) {
            String outcome = outcomeOf(op.getValue());
            if (!outcome.equals(ErrorCode.STORAGE_REFUSED.name())) {
                wrong.add(op.getKey() + ": " + outcome);
            }
        }
        assertEquals(List.of(), wrong, why + ": every operation answers storage_refused");
        assertEquals(store.bufferBudget(), store.bufferBudgetFree(), "no part buffer kept");
        try (S3AsyncClient admin = server.client()) {
            assertEquals(
                    0,
                    admin.listMultipartUploads(b -> b.bucket(BUCKET))
                            .join()
                            .uploads()
                            .size(),
                    "no multipart upload left");
        }

        // presigned URLs are checked by S3 itself: refused there, nothing stored
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var get = store.sign("GET", key, Duration.ofMinutes(5), Map.of());
        int got = http.send(HttpRequest.newBuilder(get.url()).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        assertTrue(got == 403 || got == 404, "a presigned GET is refused by S3: " + got);
        var put = store.sign(
                "PUT", key, Duration.ofMinutes(5), Map.of("Content-Type", "image/png", "Content-Length", "1000"));
        var request = HttpRequest.newBuilder(put.url()).PUT(HttpRequest.BodyPublishers.ofByteArray(small));
        put.requiredHeaders().forEach(request::header);
        int stored = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        assertTrue(stored == 403 || stored == 404, "a presigned PUT is refused by S3: " + stored);
        S3ObjectStore good = store(BUCKET, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
        assertTrue(good.head(key).await().atMost(WAIT).isEmpty(), "nothing was stored");
    }

    /** AWS S3's answer to a DeleteObject or DeleteObjects in a missing bucket, which s3proxy does not give, from the fault proxy. */
    @Test
    void aDeleteAnsweredNoSuchBucketIsRefused() throws Exception {
        try (S3FaultProxy proxy = new S3FaultProxy(server.endpoint());
                S3AsyncClient client = server.client(proxy.endpoint())) {
            S3ObjectStore store = new S3ObjectStore(
                    client,
                    server.presigner(),
                    BUCKET,
                    new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                    uploaders,
                    null,
                    Clock.systemUTC());
            proxy.answer(
                    r -> r.method().equals("DELETE")
                            || r.method().equals("POST") && r.hasQueryParameter("delete", null),
                    -1,
                    404,
                    "NoSuchBucket");
            ObjectKey key = ObjectKey.parse("temp/j/x.tmp");
            assertEquals(ErrorCode.STORAGE_REFUSED, codeOf(store.delete(key)));
            assertEquals(ErrorCode.STORAGE_REFUSED, codeOf(store.deleteMany(List.of(key))));
            assertEquals(2, proxy.count(S3FaultProxy.ANY, "answer 404"), "a 404 is not retried: " + proxy.seen());
        }
    }

    /** The refusals are told apart from an object that is simply not there. */
    @Test
    void aMissingKeyInAPresentBucketStaysNotFound() {
        S3ObjectStore good = store(BUCKET, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
        ObjectKey missing = ObjectKey.parse("temp/j/missing.tmp");
        assertEquals(ErrorCode.NOT_FOUND, codeOf(good.get(missing, Optional.empty())));
        assertTrue(good.head(missing).await().atMost(WAIT).isEmpty());
        good.delete(missing).await().atMost(WAIT);
        good.deleteMany(List.of(missing)).await().atMost(WAIT);
        byte[] small = bytes(100, 3);
        good.put(
                        missing,
                        Multi.createFrom().item(ByteBuffer.wrap(small)),
                        OptionalLong.of(small.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        var back = new ByteArrayOutputStream();
        good.get(missing, Optional.empty())
                .await()
                .atMost(WAIT)
                .body()
                .subscribe()
                .asIterable()
                .forEach(b -> {
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    back.writeBytes(a);
                });
        assertArrayEquals(small, back.toByteArray());
        good.delete(missing).await().atMost(WAIT);
        assertTrue(good.head(missing).await().atMost(WAIT).isEmpty());
    }

    /** The operation's error code, or what it did instead of failing with one. */
    static String outcomeOf(Uni<?> operation) {
        try {
            return "succeeded with " + operation.await().atMost(WAIT);
        } catch (ReelvaultException e) {
            return e.code().name();
        } catch (RuntimeException e) {
            return "failed with " + e;
        }
    }

    static ErrorCode codeOf(Uni<?> operation) {
        try {
            Object result = operation.await().atMost(WAIT);
            return fail("succeeded: " + result);
        } catch (ReelvaultException e) {
            return e.code();
        } catch (RuntimeException e) {
            return fail("not a coded failure: " + e, e);
        }
    }

    static Multi<ByteBuffer> chunks(byte[] data) {
        List<ByteBuffer> list = new ArrayList<>();
        for (int at = 0; at < data.length; at += 65536) {
            list.add(
                    ByteBuffer.wrap(data, at, Math.min(65536, data.length - at)).slice());
        }
        return Multi.createFrom().iterable(list);
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
