package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The signed PUT's own body cap: HTTP/1.1 framing already ends a body at its Content-Length (which must equal the
 * signed one), but the route does not rely on it: it counts, and the first byte past the signed length fails the
 * stream before that piece reaches the store.
 */
class StorageRoutesCapTest {

    @Test
    void theFirstPiecePastTheSignedLengthFailsTheBody() {
        AtomicInteger produced = new AtomicInteger();
        Multi<ByteBuffer> body = Multi.createFrom().range(0, 100).map(i -> {
            produced.incrementAndGet();
            return ByteBuffer.allocate(1000);
        });
        AssertSubscriber<ByteBuffer> store =
                StorageRoutes.capped(body, 2500).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        store.assertFailedWith(ReelvaultException.class);
        assertEquals(2, store.getItems().size(), "only what fits reaches the store");
        assertEquals(3, produced.get(), "nothing is read after the piece that ran past");
        assertEquals(
                ErrorCode.LENGTH_MISMATCH,
                assertInstanceOf(ReelvaultException.class, store.getFailure()).code());
    }

    @Test
    void aBodyOfExactlyTheSignedLengthPasses() {
        Multi<ByteBuffer> body = Multi.createFrom().range(0, 5).map(i -> ByteBuffer.allocate(1000));
        assertEquals(
                5,
                StorageRoutes.capped(body, 5000)
                        .collect()
                        .asList()
                        .await()
                        .indefinitely()
                        .size());
    }
}
