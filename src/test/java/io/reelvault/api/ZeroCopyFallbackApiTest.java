package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.support.SettingsVariantsProfile;
import io.reelvault.support.TestStorageRoot;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a file region cannot be written (here: HTTP compression puts a compressing handler in every connection's
 * pipeline; TLS and HTTP/2 alike), signed downloads fall back to the copied body, with the same answers: whole
 * objects, ranges, and a damaged object cut before its last byte.
 */
@QuarkusTest
@TestProfile(SettingsVariantsProfile.class)
class ZeroCopyFallbackApiTest {

    static final int SIZE = 600_000;

    @Inject
    ObjectStore store;

    @Test
    @Timeout(60)
    void downloadsAreCopiedAndStillRightWhenAFileRegionCannotBeWritten() throws Exception {
        byte[] data = ZeroCopyDownloadApiTest.random(SIZE, 7);
        ObjectKey key = ObjectKey.parse("temp/fallback-" + Long.toString(System.nanoTime(), 36) + "/clip.mp4");
        store.put(key, Multi.createFrom().item(ByteBuffer.wrap(data)), OptionalLong.of(SIZE), "video/mp4")
                .await()
                .atMost(Duration.ofSeconds(30));
        URI url = store.capability(SignedUrls.class)
                .orElseThrow()
                .sign("GET", key, Duration.ofMinutes(5), Map.of())
                .url();
        long zeroCopyBefore = StorageRoutes.ZERO_COPY_SENDS.sum();

        BitRotApiTest.Raw whole = BitRotApiTest.get(url, null);
        assertEquals(200, whole.status());
        assertArrayEquals(data, whole.body());
        BitRotApiTest.Raw range = BitRotApiTest.get(url, "bytes=1000-299999");
        assertEquals(206, range.status());
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 300_000), range.body());

        BitRotApiTest.flip(TestStorageRoot.path().resolve(key.value()), SIZE / 2);
        BitRotApiTest.Raw damaged = BitRotApiTest.get(url, null);
        assertEquals(200, damaged.status());
        assertTrue(damaged.body().length < SIZE, "never the whole body: " + damaged.body().length);
        assertTrue(damaged.cut(), "cut");

        assertEquals(zeroCopyBefore, StorageRoutes.ZERO_COPY_SENDS.sum(), "nothing went out as a file region");
    }
}
