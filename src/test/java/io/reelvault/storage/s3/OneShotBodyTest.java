package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A body streamed from the client is sent once: the SDK's retry of a failed attempt (found by bench/load.sh on s3proxy
 * under load, where it answered 400 {@code invalid_request} to clients that had sent nothing wrong) fails as a storage
 * error, and never subscribes to the client's stream a second time.
 */
class OneShotBodyTest {

    @Test
    void aSecondSubscriptionFailsAsAStorageErrorWithoutTouchingTheStream() {
        AtomicInteger streamSubscriptions = new AtomicInteger();
        AsyncRequestBody stream = AsyncRequestBody.fromString("hello");
        AsyncRequestBody counted = new AsyncRequestBody() {
            @Override
            public Optional<Long> contentLength() {
                return stream.contentLength();
            }

            @Override
            public void subscribe(Subscriber<? super ByteBuffer> s) {
                streamSubscriptions.incrementAndGet();
                stream.subscribe(s);
            }
        };
        OneShotBody body = new OneShotBody(counted);
        assertEquals(5L, body.contentLength().orElseThrow());

        Recorder first = new Recorder();
        body.subscribe(first);
        assertEquals("hello", first.text());
        assertNull(first.error);

        Recorder retry = new Recorder();
        body.subscribe(retry);
        assertEquals("", retry.text());
        assertInstanceOf(SdkClientException.class, retry.error);
        assertEquals(1, streamSubscriptions.get());

        Throwable answered = S3Errors.translate(retry.error);
        assertEquals(
                ErrorCode.STORAGE_UNAVAILABLE,
                assertInstanceOf(ReelvaultException.class, answered).code());
    }

    /** Requests everything, records what arrives. */
    private static final class Recorder implements Subscriber<ByteBuffer> {
        final List<ByteBuffer> items = new ArrayList<>();
        Throwable error;

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer b) {
            items.add(b);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {}

        String text() {
            StringBuilder sb = new StringBuilder();
            items.forEach(b -> sb.append(StandardCharsets.UTF_8.decode(b.duplicate())));
            return sb.toString();
        }
    }
}
