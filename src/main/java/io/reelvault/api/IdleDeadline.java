package io.reelvault.api;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The idle deadline of one request body ({@code REELVAULT_UPLOAD_IDLE_TIMEOUT}): a body that sends nothing for the
 * timeout while the service waits for it is cut with 408 {@code request_timeout}, the same failure as any other
 * interrupted body (the store keeps nothing), and the answer closes the connection ({@code Connection: close}, which
 * {@link UnreadBodyDrainer} honours). Time during which the service itself holds the body back (its consumer asks for
 * nothing: back-pressure from a slow disk or S3, or a body not yet accepted) is not counted. Arrival is measured by
 * the request's {@link HttpServerRequest#bytesRead()}, so the bytes of a multipart form outside the file part count
 * too. A timer checks a few times per timeout; it stops once the request has ended or been answered. A body whose
 * connection closed before it ended fails as interrupted, at once or on the timer's next check (within a second).
 */
final class IdleDeadline {
    private final HttpServerRequest request;
    private final Vertx vertx;
    /** The request's event loop (a deadline is made while the request is handled there). */
    private final Context context;

    private final long timeoutNanos;
    private final long tickMillis;
    private volatile Watched current;
    private volatile boolean done;
    private long lastRead = -1;
    private long lastActivity = System.nanoTime();

    private IdleDeadline(HttpServerRequest request, Vertx vertx, Duration timeout) {
        this.request = request;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.timeoutNanos = timeout.toNanos();
        // at most a second between checks: a body whose client vanished may be noticed only by a check (see
        // Watched#exceptionHandler), and until then it holds its temp file or its multipart upload and S3 buffers
        this.tickMillis = Math.max(50, Math.min(1_000, timeout.toMillis() / 4));
    }

    /** Starts watching {@code request}'s body. */
    static IdleDeadline watch(HttpServerRequest request, Vertx vertx, Duration timeout) {
        IdleDeadline deadline = new IdleDeadline(request, vertx, timeout);
        vertx.setTimer(deadline.tickMillis, id -> deadline.check());
        return deadline;
    }

    /**
     * {@code source} as a stream whose demand this deadline follows, and which fails with {@code request_timeout} when
     * the deadline passes. Until its consumer asks for data, the body is held back and the clock does not run.
     */
    ReadStream<Buffer> follow(ReadStream<Buffer> source) {
        Watched watched = new Watched(source);
        current = watched;
        return watched;
    }

    private void check() {
        if (done || request.isEnded() || request.response().ended()) {
            return;
        }
        Watched watched = current;
        if (request.response().closed()) {
            // the client is gone mid-body, and its stream may never learn it (see Watched#exceptionHandler): cut it
            done = true;
            if (watched != null) {
                watched.failWith(gone());
            } else if (onRequestTimeout != null) {
                onRequestTimeout.handle(gone());
            }
            return;
        }
        long now = System.nanoTime();
        long read = request.bytesRead();
        if (read != lastRead || watched != null && watched.demand.get() == 0) {
            lastRead = read;
            lastActivity = now;
        } else if (now - lastActivity >= timeoutNanos) {
            done = true;
            ReelvaultException timeout = new ReelvaultException(
                    ErrorCode.REQUEST_TIMEOUT,
                    "the request body sent nothing for "
                            + Duration.ofNanos(timeoutNanos).toMillis() / 1000.0 + " s",
                    null,
                    Map.of("Connection", "close"));
            if (watched != null && watched.failWith(timeout)) {
                return;
            }
            Handler<Throwable> requestFailure = onRequestTimeout;
            if (requestFailure != null) {
                requestFailure.handle(timeout);
            }
            return;
        }
        vertx.setTimer(tickMillis, id -> check());
    }

    private volatile Handler<Throwable> onRequestTimeout;

    /** The failure of a body whose connection closed before it ended (the client vanished): nothing of it is kept. */
    private static ReelvaultException gone() {
        return new ReelvaultException(
                ErrorCode.INVALID_REQUEST, "the request body was interrupted: the connection closed");
    }

    /** Where the timeout goes when no followed stream takes it (a multipart body outside its file part). */
    void onTimeout(Handler<Throwable> handler) {
        onRequestTimeout = handler;
    }

    /**
     * Delegates to the body's stream, counting the demand of its consumer and keeping its failure handler. Its end
     * ends the deadline: the body the service wanted is in (what a multipart form sends after its file part is not
     * waited for).
     */
    private final class Watched implements ReadStream<Buffer> {
        private final ReadStream<Buffer> source;
        final AtomicLong demand = new AtomicLong(Long.MAX_VALUE);
        private volatile Handler<Throwable> failure;
        private volatile boolean ended;

        Watched(ReadStream<Buffer> source) {
            this.source = source;
        }

        boolean failWith(Throwable e) {
            Handler<Throwable> h = failure;
            if (h == null || ended) {
                return false;
            }
            ended = true;
            h.handle(e);
            return true;
        }

        /** The handler is called at most once, whether Vert.x or {@link #failIfGone} calls it first. */
        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            Handler<Throwable> once = handler == null
                    ? null
                    : new Handler<>() {
                        private boolean fired;

                        @Override
                        public synchronized void handle(Throwable e) {
                            if (!fired) {
                                fired = true;
                                handler.handle(e);
                            }
                        }
                    };
            failure = once;
            source.exceptionHandler(once);
            return this;
        }

        /**
         * Vert.x tells a body's exception handler that the connection closed only if one is set at that moment: a
         * client that vanished while the body was held back (before the store subscribed) would leave a stream that
         * neither ends nor fails, holding its temp file or part buffer, its descriptor and its upload slot. So when its
         * consumer asks for data once the connection is gone, the body unfinished, the stream fails, on the request's
         * event loop as Vert.x's own failure would: never from inside the consumer's request (a failure delivered
         * while it is still subscribing is dropped, and the stream would hang as before).
         */
        private void failIfGone() {
            if (failure != null && !ended && request.response().closed() && !request.isEnded()) {
                context.runOnContext(v -> failWith(gone()));
            }
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            source.handler(
                    handler == null
                            ? null
                            : buffer -> {
                                demand.getAndUpdate(d -> d == Long.MAX_VALUE || d == 0 ? d : d - 1);
                                handler.handle(buffer);
                            });
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            demand.set(0);
            source.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            demand.set(Long.MAX_VALUE);
            source.resume();
            failIfGone();
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            demand.getAndUpdate(d ->
                    d == Long.MAX_VALUE || amount == Long.MAX_VALUE || d + amount < 0 ? Long.MAX_VALUE : d + amount);
            source.fetch(amount);
            failIfGone();
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> handler) {
            source.endHandler(
                    handler == null
                            ? null
                            : v -> {
                                ended = true;
                                done = true;
                                handler.handle(v);
                            });
            return this;
        }
    }
}
