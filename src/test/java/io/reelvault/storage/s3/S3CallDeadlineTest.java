package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.S3ProxyServer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * {@code REELVAULT_STORAGE_S3_CALL_TIMEOUT} (1 s here): an S3 that accepts requests and never answers (the fault proxy
 * holds them for a minute) cannot hold a call for ever; each call answers {@code storage_unavailable} once the SDK's
 * attempts have each run into the deadline. The deadline bounds the wait for a response to start, never a download
 * that a slow reader takes longer than it to consume.
 */
@Timeout(60)
class S3CallDeadlineTest {
    static final long MIB = 1024 * 1024;
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    static final String BUCKET = "deadlines";

    @TempDir
    static Path data;

    static S3ProxyServer server;
    static ExecutorService uploaders;
    S3FaultProxy proxy;
    S3AsyncClient client;
    S3ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        server = new S3ProxyServer(data).start();
        server.createBucket(BUCKET);
        uploaders = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stop() throws Exception {
        uploaders.shutdownNow();
        server.stop();
    }

    @BeforeEach
    void open() throws Exception {
        proxy = new S3FaultProxy(server.endpoint());
        client = server.client(proxy.endpoint());
        store = new S3ObjectStore(
                client,
                server.presigner(),
                BUCKET,
                new S3ObjectStore.Multipart(6 * MIB, 5 * MIB, 3, 20 * MIB),
                uploaders,
                null,
                Clock.systemUTC(),
                CALL_TIMEOUT);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        proxy.close();
    }

    @Test
    void callsToAFrozenS3EndAsStorageUnavailable() {
        ObjectKey key = ObjectKey.parse("temp/j/frozen.tmp");
        byte[] small = random(1000, 1);
        store.put(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(small)),
                        OptionalLong.of(small.length),
                        "application/octet-stream")
                .await()
                .atMost(Duration.ofSeconds(10));
        proxy.hold(S3FaultProxy.ANY, -1, Duration.ofMinutes(1));
        Map<String, Uni<?>> calls = new LinkedHashMap<>();
        calls.put("head", store.head(key));
        calls.put("get", store.get(key, Optional.empty()));
        // list, delete, probe, multipart calls and buffered puts carry the same deadline (S3Bucket.deadline)
        Map<String, String> figures = new LinkedHashMap<>();
        for (var call : calls.entrySet()) {
            int before = proxy.seen().size();
            long started = System.nanoTime();
            ErrorCode code;
            try {
                call.getValue().await().atMost(Duration.ofSeconds(45));
                code = null;
            } catch (ReelvaultException e) {
                code = e.code();
            }
            figures.put(
                    call.getKey(),
                    (System.nanoTime() - started) / 1_000_000 + " ms, "
                            + (proxy.seen().size() - before) + " attempts");
            assertEquals(ErrorCode.STORAGE_UNAVAILABLE, code, call.getKey());
        }
        System.out.println("S3 fault figures: frozen S3, call timeout " + CALL_TIMEOUT.toMillis() + " ms: " + figures);
        assertEquals(store.bufferBudget(), store.bufferBudgetFree(), "no part buffer kept");
    }

    @Test
    void aSlowReaderOfADownloadIsNotCutByTheCallDeadline() throws Exception {
        ObjectKey key = ObjectKey.parse("temp/j/long.tmp");
        byte[] body = random((int) (4 * MIB), 2);
        store.put(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(body)),
                        OptionalLong.of(body.length),
                        "application/octet-stream")
                .await()
                .atMost(Duration.ofSeconds(20));
        long started = System.nanoTime();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        for (ByteBuffer b : store.get(key, Optional.empty())
                .await()
                .atMost(Duration.ofSeconds(10))
                .body()
                .subscribe()
                .asIterable()) {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            read.writeBytes(a);
            Thread.sleep(a.length / 2048); // half a second per MiB: the 4 MiB take about 2 s, twice the deadline
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertArrayEquals(body, read.toByteArray());
        System.out.println(
                "S3 fault figures: a 4 MiB download read slowly in " + millis + " ms with a 1 s call deadline");
        assertTrue(millis > CALL_TIMEOUT.toMillis(), "the read outlasted the call deadline: " + millis + " ms");
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
