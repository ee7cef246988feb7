package io.reelvault.storage.s3;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;

/**
 * A body stream read by one blocking thread, with bounded look-ahead: at most {@code window}
 * buffers are requested ahead of the reader, so memory stays bounded and the producer is
 * back-pressured. {@link #cancel()} (any thread) stops the producer and wakes the reader.
 */
final class BlockingBody implements Flow.Subscriber<ByteBuffer> {
    private static final Object DONE = new Object();
    private static final Object CANCELLED = new Object();

    private record Failure(Throwable error) {}

    private final int window;
    private final ArrayBlockingQueue<Object> queue;
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    BlockingBody(int window) {
        this.window = window;
        this.queue = new ArrayBlockingQueue<>(window + 2);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(window);
        }
    }

    @Override
    public void onNext(ByteBuffer item) {
        queue.offer(item);
    }

    @Override
    public void onError(Throwable error) {
        queue.offer(new Failure(error));
    }

    @Override
    public void onComplete() {
        queue.offer(DONE);
    }

    /**
     * The next buffer, or null at the end of the body. Blocks.
     *
     * @throws RuntimeException the body's own failure, or {@link CancellationException}
     */
    ByteBuffer take() throws InterruptedException {
        Object o = queue.take();
        if (o == DONE) {
            queue.offer(DONE);
            return null;
        }
        if (o == CANCELLED) {
            queue.offer(CANCELLED);
            throw new CancellationException("upload cancelled");
        }
        if (o instanceof Failure f) {
            queue.offer(f);
            if (f.error() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(f.error());
        }
        subscription.request(1);
        return (ByteBuffer) o;
    }

    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        queue.clear();
        queue.offer(CANCELLED);
    }
}
