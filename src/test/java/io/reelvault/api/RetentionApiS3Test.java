package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.Area;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IncludingExpired;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.local.LifecycleSweeper;
import io.reelvault.support.AdjustableClock;
import io.reelvault.support.S3Profile;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The retention guard on S3 (s3proxy): the bucket's lifecycle rules delete, the guard refuses to serve
 * meanwhile. The SDK signs requests with its own clock, so moving the service's clock does not skew SigV4.
 */
@QuarkusTest
@TestProfile(S3Profile.class)
class RetentionApiS3Test {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ObjectStore store;

    @Inject
    @IncludingExpired
    ObjectStore includingExpired;

    @Inject
    LifecycleSweeper sweeper;

    @Inject
    AdjustableClock clock;

    @Test
    void anExpiredObjectIsNeverServedFromS3() {
        String job = "temp/retention-" + UUID.randomUUID() + "/";
        ObjectKey key = ObjectKey.parse(job + "pass1.bin");
        byte[] data = {5, 6, 7};
        store.put(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(data)),
                        OptionalLong.of(data.length),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        Instant expiry = Area.TEMP
                .expiresAt(store.head(key).await().atMost(WAIT).orElseThrow().lastModified())
                .orElseThrow();
        try {
            clock.setTo(expiry.minusSeconds(1));
            assertArrayEquals(
                    data,
                    store.get(key, Optional.empty())
                            .await()
                            .atMost(WAIT)
                            .body()
                            .collect()
                            .asList()
                            .map(RetentionApiS3Test::bytes)
                            .await()
                            .atMost(WAIT));
            clock.setTo(expiry);
            assertExpired(store.get(key, Optional.empty()));
            assertExpired(store.head(key));
            assertEquals(
                    List.of(),
                    store.list(new KeyPrefix(job), Optional.empty())
                            .collect()
                            .asList()
                            .await()
                            .atMost(WAIT));
            assertTrue(includingExpired.head(key).await().atMost(WAIT).isPresent());
            assertTrue(sweeper.sweep().skipped(), "no sweeper on S3: the bucket's lifecycle rules delete");
        } finally {
            clock.reset();
        }
        store.delete(key).await().atMost(WAIT);
    }

    private static void assertExpired(Uni<?> call) {
        ReelvaultException e =
                assertThrows(ReelvaultException.class, () -> call.await().atMost(WAIT));
        assertEquals(ErrorCode.EXPIRED, e.code());
    }

    private static byte[] bytes(List<ByteBuffer> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(b -> {
            byte[] c = new byte[b.remaining()];
            b.get(c);
            out.writeBytes(c);
        });
        return out.toByteArray();
    }
}
