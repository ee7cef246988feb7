package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.SignedPartReceiver;
import io.smallrye.mutiny.Multi;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local backend's direct multipart uploads: part files outside every key, assembly, abort, abandoned ones. */
class LocalMultipartTest {
    static final ObjectKey KEY = ObjectKey.parse("uploads/alice/upload_20261203_abcdefghijklmnop/original.png");
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path root;

    ExecutorService pool;
    LocalObjectStore store;
    DirectMultipart direct;
    SignedPartReceiver receiver;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(4);
        store = LocalObjectStore.open(
                root,
                pool,
                new LocalUrlSigner(
                        "multipart-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                        URI.create("http://localhost"),
                        Clock.systemUTC()));
        direct = store.capability(DirectMultipart.class).orElseThrow();
        receiver = store.capability(SignedPartReceiver.class).orElseThrow();
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    DirectMultipart.Part receive(String id, int n, byte[] bytes) {
        // in small chunks, as a request body arrives
        List<ByteBuffer> chunks = new java.util.ArrayList<>();
        for (int at = 0; at < bytes.length; at += 7000) {
            chunks.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 7000))));
        }
        return receiver.receivePart(id, n, Multi.createFrom().iterable(chunks), bytes.length)
                .await()
                .atMost(WAIT);
    }

    @Test
    void partsAreAssembledInOrderOutsideEveryKey() throws Exception {
        byte[] file = new byte[700_001];
        new Random(1).nextBytes(file);
        String id = direct.create(KEY, "image/png").await().atMost(WAIT);
        DirectMultipart.Part second = receive(id, 2, Arrays.copyOfRange(file, 300_000, 600_000));
        DirectMultipart.Part first = receive(id, 1, Arrays.copyOfRange(file, 0, 300_000));
        receive(id, 3, new byte[100_001]); // replaced below
        DirectMultipart.Part third = receive(id, 3, Arrays.copyOfRange(file, 600_000, 700_001));
        assertEquals(
                List.of(first, second, third),
                direct.parts(KEY, id, 0, 1000).await().atMost(WAIT));
        assertEquals(List.of(third), direct.parts(KEY, id, 2, 1000).await().atMost(WAIT));
        assertTrue(
                store.list(new KeyPrefix("uploads/"), Optional.empty())
                        .collect()
                        .asList()
                        .await()
                        .atMost(WAIT)
                        .isEmpty(),
                "parts are no objects");

        direct.complete(KEY, id, List.of(first, second, third)).await().atMost(WAIT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.get(KEY, Optional.empty())
                .await()
                .atMost(WAIT)
                .body()
                .subscribe()
                .asIterable()
                .forEach(b -> {
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    out.writeBytes(a);
                });
        assertArrayEquals(file, out.toByteArray());
        assertFalse(Files.exists(root.resolve(".multipart").resolve(id)), "the parts are gone");
        assertEquals(
                ErrorCode.NOT_FOUND,
                assertThrows(ReelvaultException.class, () -> receive(id, 1, new byte[10]))
                        .code());
    }

    @Test
    void aStaleEtagIsAnInvalidPart() {
        String id = direct.create(KEY, "image/png").await().atMost(WAIT);
        DirectMultipart.Part old = receive(id, 1, new byte[] {1, 2, 3});
        receive(id, 1, new byte[] {4, 5, 6});
        ReelvaultException e = assertThrows(
                ReelvaultException.class,
                () -> direct.complete(KEY, id, List.of(old)).await().atMost(WAIT));
        assertEquals(ErrorCode.INVALID_PART, e.code());
    }

    @Test
    void idsThatCouldEscapeAreUnknownUploads() {
        for (String id : List.of("../../etc", "..", "", "0123456789ABCDEF0123456789ABCDEF", "a/b")) {
            ReelvaultException e = assertThrows(
                    ReelvaultException.class,
                    () -> direct.parts(KEY, id, 0, 10).await().atMost(WAIT),
                    id);
            assertEquals(ErrorCode.NOT_FOUND, e.code(), id);
        }
    }

    @Test
    void abortAndAbandonedUploadsLeaveNoParts() {
        String aborted = direct.create(KEY, "image/png").await().atMost(WAIT);
        receive(aborted, 1, new byte[] {1});
        direct.abort(KEY, aborted).await().atMost(WAIT);
        direct.abort(KEY, aborted).await().atMost(WAIT); // idempotent
        assertFalse(Files.exists(root.resolve(".multipart").resolve(aborted)));

        String idle = direct.create(KEY, "image/png").await().atMost(WAIT);
        receive(idle, 1, new byte[] {1});
        assertEquals(0, store.removeAbandoned(Instant.now().minusSeconds(60)), "active in the last minute: kept");
        assertTrue(Files.exists(root.resolve(".multipart").resolve(idle)));
        assertEquals(1, store.removeAbandoned(Instant.now().plusSeconds(60)));
        assertFalse(Files.exists(root.resolve(".multipart").resolve(idle)));
    }
}
