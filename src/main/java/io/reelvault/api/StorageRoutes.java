package io.reelvault.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpContentEncoder;
import io.netty.handler.ssl.SslHandler;
import io.reelvault.api.problem.Problems;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.ObjectKey;
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.service.upload.UploadService;
import io.reelvault.storage.FileBody;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrlVerifier;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.impl.VertxInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * {@code GET|HEAD|PUT /storage/{key}?X-Expires=...&X-Signature=...}: serves (and, for direct
 * uploads, accepts) objects of backends that sign their own URLs (the local backend), for anyone
 * holding a valid, unexpired signed URL. A PUT must carry exactly the Content-Type and
 * Content-Length its URL was signed for, like an S3 presigned PUT (no chunked body), and the signed length caps the
 * bytes read; it stores its object once, only while its upload waits for it (404 {@code not_found} after, 409
 * {@code conflict} when used already); once shutdown has begun a PUT is
 * refused with 503 {@code shutting_down} (see {@link ShutdownGate}). A plain
 * Vert.x route, so that the response streams with back-pressure and exact headers: Content-Length,
 * ETag, Last-Modified, Accept-Ranges, one Range (206) or 416, If-None-Match (304). A body the store offers as a
 * {@link FileBody} goes out by {@code sendfile} on plain HTTP/1.x connections (see {@code sendFile}), copied otherwise.
 */
@ApplicationScoped
public class StorageRoutes {
    static final String PREFIX = "/storage/";
    /** The bytes of a full (verified) read held back until the object matched its digest; a smaller one waits whole. */
    static final int HELD_VERIFIED = 64 * 1024;
    /** The bytes of a ranged read held back, so that the response ends while its client still waits for bytes. */
    static final int HELD_UNVERIFIED = 1;
    /** Responses whose body went out (but its held-back tail) as a file region: for tests, which path served. */
    static final LongAdder ZERO_COPY_SENDS = new LongAdder();

    private final ObjectStore store;
    private final Problems problems;
    private final ShutdownGate shutdown;
    private final UploadService uploads;
    private final MultipartUploadService multipart;

    public StorageRoutes(
            ObjectStore store,
            Problems problems,
            ShutdownGate shutdown,
            UploadService uploads,
            MultipartUploadService multipart) {
        this.store = store;
        this.problems = problems;
        this.shutdown = shutdown;
        this.uploads = uploads;
        this.multipart = multipart;
    }

    /**
     * Static, with this bean as its client proxy: the routes (and the object store they hold) are made on
     * the first request, not at start-up, so that an operator command never opens the store.
     */
    static void register(@Observes Router router, StorageRoutes routes) {
        router.route(PREFIX + "*").order(-100).handler(routes::handle);
    }

    void handle(RoutingContext ctx) { // not private: the client proxy forwards it
        // results of the store arrive on its worker threads: answer on this request's event loop
        Context context = ctx.vertx().getOrCreateContext();
        Executor onLoop = command -> context.runOnContext(v -> command.run());
        ctx.request().pause(); // a PUT body waits until the signature is checked and the store subscribes
        try {
            HttpMethod method = ctx.request().method();
            if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.PUT) {
                ctx.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD, PUT");
                throw new ReelvaultException(
                        ErrorCode.METHOD_NOT_ALLOWED, "signed URLs of this service allow GET, HEAD and PUT");
            }
            SignedUrlVerifier verifier = store.capability(SignedUrlVerifier.class)
                    .orElseThrow(() -> ReelvaultException.notFound("resource"));
            // the raw path: keys never need percent-encoding, so any '%' (encoded traversal) is rejected
            String path = ctx.request().path();
            if (path.length()
                    < PREFIX.length()) { // "/storage": the route's pattern matches it too, and it names nothing
                throw ReelvaultException.notFound("resource");
            }
            ObjectKey key = ObjectKey.parse(path.substring(PREFIX.length()));
            Map<String, String> bound = verifier.verify(method.name(), key, query(ctx));
            if (method == HttpMethod.PUT && bound.containsKey(SignedUrlVerifier.UPLOAD_ID)) {
                receivePart(ctx, key, bound, onLoop);
                return;
            }
            if (method == HttpMethod.PUT) {
                receive(ctx, key, bound, onLoop);
                return;
            }
            if (method == HttpMethod.HEAD) {
                store.head(key)
                        .emitOn(onLoop)
                        .subscribe()
                        .with(
                                info -> {
                                    ObjectInfo i = info.orElseThrow(() -> ReelvaultException.notFound("object"));
                                    HttpServerResponse r = headers(ctx.response(), i, bound);
                                    r.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(i.size()))
                                            .end();
                                },
                                e -> fail(ctx, e));
                return;
            }
            Optional<ByteRange> range = ByteRange.parseHeader(ctx.request().getHeader("Range"));
            store.get(key, range)
                    .emitOn(onLoop)
                    .subscribe()
                    .with(content -> send(ctx, content, bound, onLoop), e -> fail(ctx, e));
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    /** A signed PUT: the request must match the bound headers; the body streams into the store atomically. */
    private void receive(RoutingContext ctx, ObjectKey key, Map<String, String> bound, Executor onLoop) {
        var request = ctx.request();
        String type = bound.get("content-type");
        if (type == null || !type.equalsIgnoreCase(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw new ReelvaultException(
                    ErrorCode.SIGNATURE_INVALID, "the Content-Type is not the one this URL was signed for");
        }
        // the signed length is the body's hard cap: a chunked body (no Content-Length), or one announcing another
        // length, is refused unread; the bytes are counted too (Quarkus' body limit never sees this route)
        OptionalLong length = RequestBodies.contentLength(request);
        String signedLength = bound.get("content-length");
        if (signedLength == null
                || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || length.isEmpty()
                || length.getAsLong() != Long.parseLong(signedLength)) {
            throw new ReelvaultException(
                    ErrorCode.SIGNATURE_INVALID, "the Content-Length is not the one this URL was signed for");
        }
        shutdown.admitUpload(); // after the signature: a stranger learns nothing; before the body: nothing is read
        RequestBodies.acceptBody(request);
        // once, and only while its upload waits for it (see UploadService#receiveSigned)
        uploads.receiveSigned(key, capped(RequestBodies.raw(request), length.getAsLong()), length, type)
                .emitOn(onLoop)
                .subscribe()
                .with(
                        stored -> ctx.response()
                                .putHeader(HttpHeaders.ETAG, stored.info().etag())
                                .setStatusCode(200)
                                .end(),
                        e -> fail(ctx, e));
    }

    /**
     * A signed part PUT of a direct multipart upload: exactly the signed Content-Length (no chunked body), the bytes
     * counted against it; stored only while its upload waits for it (see {@link MultipartUploadService#receivePart}).
     * Answers 200 with the part's {@code ETag}.
     */
    private void receivePart(RoutingContext ctx, ObjectKey key, Map<String, String> bound, Executor onLoop) {
        var request = ctx.request();
        OptionalLong length = RequestBodies.contentLength(request);
        long signed = Long.parseLong(bound.get("content-length"));
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || length.isEmpty()
                || length.getAsLong() != signed) {
            throw new ReelvaultException(
                    ErrorCode.SIGNATURE_INVALID, "the Content-Length is not the one this URL was signed for");
        }
        int number;
        try {
            number = Integer.parseInt(bound.get(SignedUrlVerifier.PART_NUMBER));
        } catch (NumberFormatException e) {
            throw new ReelvaultException(ErrorCode.SIGNATURE_INVALID, "the URL's signature does not match");
        }
        shutdown.admitUpload();
        RequestBodies.acceptBody(request);
        multipart
                .receivePart(
                        key,
                        bound.get(SignedUrlVerifier.UPLOAD_ID),
                        number,
                        capped(RequestBodies.raw(request), signed),
                        signed)
                .emitOn(onLoop)
                .subscribe()
                .with(
                        part -> ctx.response()
                                .putHeader(HttpHeaders.ETAG, part.etag())
                                .setStatusCode(200)
                                .end(),
                        e -> fail(ctx, e));
    }

    /** Fails as soon as the body runs past {@code limit} bytes, before the excess reaches the store. */
    static Multi<ByteBuffer> capped(Multi<ByteBuffer> body, long limit) {
        long[] received = {0};
        return body.onItem().invoke(buffer -> {
            received[0] += buffer.remaining();
            if (received[0] > limit) {
                throw new ReelvaultException(
                        ErrorCode.LENGTH_MISMATCH, "the body runs past the signed " + limit + " bytes");
            }
        });
    }

    private void send(RoutingContext ctx, ObjectContent content, Map<String, String> bound, Executor onLoop) {
        HttpServerResponse response = headers(ctx.response(), content.info(), bound);
        String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.equals(content.info().etag()) || ifNoneMatch.equals("*"))) {
            content.body().subscribe().with(Flow.Subscription::cancel, b -> {}, e -> {}, () -> {});
            response.setStatusCode(304).end();
            return;
        }
        content.range()
                .ifPresent(r -> response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, r.contentRange()));
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(content.length()));
        Optional<Http1xServerConnection> zeroCopy =
                content.file().isPresent() ? zeroCopyConnection(ctx) : Optional.empty();
        if (zeroCopy.isPresent()) {
            sendFile(content.file().get(), zeroCopy.get(), response, onLoop, e -> fail(ctx, e));
        } else {
            pipe(content.body(), content.length(), ctx.response(), onLoop, e -> fail(ctx, e));
        }
    }

    /**
     * The connection to write a {@link FileRegion} to, when the response can take one: plain HTTP/1.x (no TLS, no
     * traffic shaping, no compressing handler, a transport that does {@code sendfile}), as Vert.x' own
     * {@code sendFile} decides; otherwise (HTTP/2, TLS, a connection of another kind) empty, and the body is copied.
     */
    static Optional<Http1xServerConnection> zeroCopyConnection(RoutingContext ctx) {
        if (ctx.request().connection() instanceof Http1xServerConnection conn
                && ctx.vertx() instanceof VertxInternal vertx
                && vertx.transport().supportFileRegion()
                && !conn.isSsl()
                && !conn.isTrafficShaped()
                && conn.channelHandlerContext().pipeline().get(SslHandler.class) == null
                && conn.channelHandlerContext().pipeline().get(HttpContentEncoder.class) == null) {
            return Optional.of(conn);
        }
        return Optional.empty();
    }

    /**
     * Sends a file body without copying: the head through Vert.x, then the body but its last {@code held} bytes as a
     * {@link FileRegion} of the store's open channel (the kernel's {@code sendfile}), then the held bytes from
     * {@link FileBody#tail} as the end of the response. For a verified (full) read those arrive only once the whole
     * object matched its digest, hashed on a worker while the region is sent; an unverified (ranged) read's are read
     * from the channel here, before the head (see {@code readTail}); a small verified object ({@code held}
     * covers it) is answered only then, so that a damaged one is still a problem rather than a cut. A failure once
     * the head is out (a damaged object, a read error, a file cut short) cuts the connection, so that the client sees
     * a short body. The end is written only once the region is out, as the last chunk of a copied body is, so that a
     * client gone before still counts as reset and one that has all its bytes as complete.
     */
    private static void sendFile(
            FileBody file,
            Http1xServerConnection conn,
            HttpServerResponse response,
            Executor onLoop,
            Consumer<Throwable> beforeHead) {
        long count = file.count();
        int held = (int) Math.min(count, file.verified() ? HELD_VERIFIED : HELD_UNVERIFIED);
        long direct = count - held;
        FileSend send = new FileSend(direct == 0);
        if (!file.verified()) {
            // nothing to wait for: the held bytes are read here, before the head, on the event loop that sends the
            // region from the same file anyway (sendfile reads its pages on this thread too): no trip to a worker
            // and back before the first byte, and a response of held bytes only goes out head and body in one write
            try {
                send.tail = readTail(file, held);
            } catch (IOException | RuntimeException e) {
                failed(file, send, response, beforeHead, unreadable(e));
                return;
            }
        }
        // a region's head leaves with its first bytes; held bytes alone go out head and body in one write anyway
        TcpCork cork = direct > 0 ? TcpCork.of(conn.channelHandlerContext().channel()) : TcpCork.NONE;
        try {
            response.closeHandler(v -> abandon(file, send, response));
            if (direct > 0) {
                response.writeHead();
                FileRegion region = new BorrowedFileRegion(file.channel(), file.position(), direct);
                ChannelPromise written = conn.channelHandlerContext().newPromise();
                // on the channel's loop, whatever the outcome, before the tail is written: the region's last bytes go
                written.addListener(f -> cork.release());
                written.addListener(f -> onLoop.execute(() -> {
                    file.sent(region.transferred());
                    if (f.isSuccess()) {
                        send.regionSent = true;
                        endIfReady(file, send, response);
                    } else { // the client left, or the file failed under the send: Netty closes the connection
                        abandon(file, send, response);
                    }
                }));
                ZERO_COPY_SENDS.increment(); // before the write: its first bytes may reach the client at once
                conn.writeToChannel(region, written);
            }
        } catch (RuntimeException e) { // the connection closed before the head
            cork.release();
            failed(file, send, response, beforeHead, e);
            return;
        }
        if (send.tail != null) { // read above: a body of held bytes only ends here, a longer one once its region is out
            endIfReady(file, send, response);
            return;
        }
        file.tail(held)
                .emitOn(onLoop)
                .subscribe()
                .with(
                        bytes -> {
                            send.tail = bytes;
                            endIfReady(file, send, response);
                        },
                        e -> failed(file, send, response, beforeHead, e));
    }

    /** The last {@code held} bytes of an unverified file body, read from its channel here (a positional read). */
    private static ByteBuffer readTail(FileBody file, int held) throws IOException {
        ByteBuffer tail = ByteBuffer.allocate(held);
        long at = file.position() + file.count() - held;
        while (tail.hasRemaining()) {
            if (file.channel().read(tail, at + tail.position()) < 0) {
                throw new IOException("object shorter than its size while reading");
            }
        }
        return tail.flip();
    }

    /** A failure to read a file body's held bytes, as the store reports its read failures. */
    private static RuntimeException unreadable(Exception e) {
        return e instanceof RuntimeException r && !(e instanceof UncheckedIOException)
                ? r
                : new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "local storage failed", e);
    }

    /** The state of one {@code sendFile}, touched on the request's event loop only. */
    private static final class FileSend {
        boolean ended;
        boolean regionSent;
        ByteBuffer tail;

        FileSend(boolean regionSent) {
            this.regionSent = regionSent;
        }
    }

    /** Ends the response with the held-back tail once both it and the region are out. */
    private static void endIfReady(FileBody file, FileSend send, HttpServerResponse response) {
        if (send.ended || !send.regionSent || send.tail == null) {
            return;
        }
        send.ended = true;
        int bytes = send.tail.remaining();
        try {
            response.end(Buffer.buffer(Unpooled.wrappedBuffer(send.tail)));
            file.sent(bytes);
        } catch (RuntimeException e) { // closed meanwhile
            response.reset();
        } finally {
            file.close();
        }
    }

    /** The tail failed (a damaged object, a read error): a problem before the head, a cut connection after it. */
    private static void failed(
            FileBody file, FileSend send, HttpServerResponse response, Consumer<Throwable> beforeHead, Throwable e) {
        if (send.ended) {
            return;
        }
        send.ended = true;
        file.close(); // first: a region still being sent fails at once instead of finishing
        if (response.headWritten()) {
            response.reset(); // headers are gone: cut the connection so the client sees a short body
        } else {
            beforeHead.accept(e);
        }
    }

    /** The connection closed, or the region failed, before the end: release the file, the response counts as reset. */
    private static void abandon(FileBody file, FileSend send, HttpServerResponse response) {
        if (!send.ended) {
            send.ended = true;
            file.close();
            response.reset();
        }
    }

    /**
     * A {@link DefaultFileRegion} of a channel it does not own: released by Netty once sent (or failed), it leaves the
     * channel open for its owner (the {@link FileBody}, which still reads the held-back tail from it) to close. Still
     * a {@code DefaultFileRegion}, so that every transport sends it with {@code sendfile}.
     */
    private static final class BorrowedFileRegion extends DefaultFileRegion {
        BorrowedFileRegion(FileChannel channel, long position, long count) {
            super(channel, position, count);
        }

        @Override
        protected void deallocate() {
            // the channel is its owner's to close
        }
    }

    private static HttpServerResponse headers(HttpServerResponse response, ObjectInfo info, Map<String, String> bound) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, info.contentType())
                .putHeader(HttpHeaders.ETAG, info.etag())
                .putHeader(
                        HttpHeaders.LAST_MODIFIED,
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                info.lastModified().atOffset(ZoneOffset.UTC)))
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=0")
                .putHeader("X-Content-Type-Options", "nosniff");
        bound.forEach(response::putHeader);
        return response;
    }

    /**
     * Writes the body with back-pressure: one chunk is requested at a time, and the next only once the socket keeps
     * up. Every signal is handed to the request's event loop in order (one outstanding request, so nothing can
     * overtake: no prefetch queue between the store's threads and the loop). The chunk that completes {@code length}
     * ends the response with it: a client that has its Content-Length closes the connection at once, and an
     * {@code end()} arriving after that would count a whole download as reset. A failure once the head is out (a
     * damaged object found at its last chunk, a read error) cuts the connection, so the client sees a short body;
     * before (a damaged object of one chunk) it is answered as a problem by {@code beforeHead}.
     */
    private static void pipe(
            Multi<ByteBuffer> body,
            long length,
            HttpServerResponse response,
            Executor onLoop,
            Consumer<Throwable> beforeHead) {
        body.subscribe().withSubscriber(new Flow.Subscriber<ByteBuffer>() {
            private Flow.Subscription subscription;
            private long remaining = length;
            private boolean ended;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                onLoop.execute(() -> {
                    response.closeHandler(v -> s.cancel());
                    s.request(1);
                });
            }

            @Override
            public void onNext(ByteBuffer item) {
                onLoop.execute(() -> {
                    try {
                        write(item);
                    } catch (RuntimeException e) { // the response is unusable: stop reading, cut the connection
                        subscription.cancel();
                        if (!ended) {
                            ended = true;
                            response.reset();
                        }
                    }
                });
            }

            private void write(ByteBuffer item) {
                if (ended) {
                    subscription.cancel(); // more than Content-Length: never sent
                    return;
                }
                remaining -= item.remaining();
                Buffer chunk = Buffer.buffer(Unpooled.wrappedBuffer(item));
                if (remaining <= 0) {
                    ended = true;
                    response.end(chunk);
                    subscription.request(1); // lets the source complete
                    return;
                }
                response.write(chunk);
                if (!response.writeQueueFull()) {
                    subscription.request(1);
                    return;
                }
                boolean[] requested = {false};
                Runnable next = () -> {
                    if (!requested[0]) {
                        requested[0] = true;
                        subscription.request(1);
                    }
                };
                response.drainHandler(v -> next.run());
                if (!response.writeQueueFull()) {
                    next.run(); // drained before the handler was in place: its event is gone
                }
            }

            @Override
            public void onError(Throwable e) {
                onLoop.execute(() -> {
                    if (!ended) {
                        ended = true;
                        if (response.headWritten()) {
                            response.reset(); // headers are gone: cut the connection so the client sees a short body
                        } else {
                            beforeHead.accept(e);
                        }
                    }
                });
            }

            @Override
            public void onComplete() {
                onLoop.execute(() -> {
                    if (!ended) {
                        ended = true;
                        response.end(); // an empty body, or one shorter than announced
                    }
                });
            }
        });
    }

    /**
     * The query parameters, decoded from the raw query string: each {@code name=value}, no empty or repeated name (no
     * case folding either: {@code x-expires} is not {@code X-Expires}). Anything else is {@code signature_invalid}.
     */
    static Map<String, String> query(RoutingContext ctx) {
        return query(ctx.request().query());
    }

    /** {@link #query(RoutingContext)} of a raw query string (null when the URL has none). */
    static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ReelvaultException(
                        ErrorCode.SIGNATURE_INVALID, "a signed URL's parameters are name=value pairs");
            }
            String name;
            String value;
            try {
                name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ReelvaultException(
                        ErrorCode.SIGNATURE_INVALID, "a signed URL's parameters are percent-encoded");
            }
            if (query.putIfAbsent(name, value) != null) {
                throw new ReelvaultException(ErrorCode.SIGNATURE_INVALID, "a signed URL names each parameter once");
            }
        }
        return query;
    }

    private void fail(RoutingContext ctx, Throwable e) {
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        Problems.Answer answer = problems.answer(e);
        HttpServerResponse response = ctx.response().setStatusCode(answer.status());
        response.headers().remove(HttpHeaders.ETAG).remove(HttpHeaders.CONTENT_LENGTH);
        answer.headers().forEach(response::putHeader);
        response.end(ctx.request().method() == HttpMethod.HEAD ? "" : answer.body());
    }
}
