package io.reelvault.storage.s3;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A request body streamed straight from the client's connection into one PutObject: it can be sent once. The SDK
 * retries a request whose connection failed (s3proxy dropping it under load, a reset) by subscribing to its body
 * again; the stream under it then failed with "only a single Subscriber", which reached the client as its own
 * interrupted body (400 {@code invalid_request}) although the client had sent nothing wrong. A second subscription
 * now fails at once as an SDK client error, so the upload ends as the storage failure it is: 503
 * {@code storage_unavailable} with {@code Retry-After}, and the client may send the body again.
 */
final class OneShotBody implements AsyncRequestBody {
    private final AsyncRequestBody body;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    OneShotBody(AsyncRequestBody body) {
        this.body = body;
    }

    @Override
    public Optional<Long> contentLength() {
        return body.contentLength();
    }

    @Override
    public String contentType() {
        return body.contentType();
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
        if (subscribed.compareAndSet(false, true)) {
            body.subscribe(s);
            return;
        }
        s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        s.onError(SdkClientException.create(
                "a streamed upload body cannot be sent twice: the attempt that read it failed"));
    }
}
