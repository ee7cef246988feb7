package io.reelvault.api;

import io.quarkus.arc.Arc;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.FileType;
import io.reelvault.service.artifact.ArtifactWriter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.MultiHelper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Request bodies as back-pressured streams of {@link ByteBuffer}s, straight from Vert.x: nothing is
 * buffered whole, spooled to disk, or read before the service subscribes. Interrupted bodies fail
 * with a client error, not a server one; a body that stops arriving is cut ({@link IdleDeadline}).
 */
final class RequestBodies {
    private RequestBodies() {}

    /** The declared Content-Length, when present and well-formed. */
    static OptionalLong contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "Content-Length is not a number");
        }
    }

    /**
     * Tells a client that sent {@code Expect: 100-continue} to go ahead. Called only after every
     * check that needs no body passed, so that a rejected client never sends its body.
     */
    static void acceptBody(HttpServerRequest request) {
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && expect.equalsIgnoreCase("100-continue")) {
            request.response().writeContinue();
        }
    }

    /**
     * A pipeline artifact's raw body: type and length are checked from the headers at once, then
     * {@code open} checks the resource it belongs to (in storage), and only then is the body accepted
     * (100-continue) and handed to {@code store}. A refused body is never read.
     */
    static <T> Uni<T> artifact(
            ArtifactWriter writer,
            FileType type,
            HttpServerRequest request,
            Supplier<Uni<?>> open,
            BiFunction<OptionalLong, Multi<ByteBuffer>, Uni<T>> store) {
        OptionalLong length = contentLength(request);
        writer.precheck(type, request.getHeader(HttpHeaders.CONTENT_TYPE), length);
        Multi<ByteBuffer> body = raw(request);
        return open.get().chain(() -> {
            acceptBody(request);
            return store.apply(length, body);
        });
    }

    /**
     * The raw request body, under the idle deadline ({@link IdleDeadline}) from the moment its consumer asks for it.
     * The request must not have been read yet.
     */
    static Multi<ByteBuffer> raw(HttpServerRequest request) {
        request.pause();
        return stream(IdleDeadline.watch(request, vertx(), idleTimeout()).follow(request));
    }

    /**
     * Streams the multipart part named {@code field} into {@code consumer} (file name, declared
     * type, body) as soon as it starts. Other parts are skipped. Fails with {@code invalid_request}
     * when the request ends without such a part.
     */
    static <T> Uni<T> multipartField(
            HttpServerRequest request,
            String field,
            BiFunction<HttpServerFileUpload, Multi<ByteBuffer>, Uni<T>> consumer) {
        if (!validBoundary(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            return Uni.createFrom()
                    .failure(new ReelvaultException(
                            ErrorCode.INVALID_REQUEST,
                            "a multipart body needs a boundary of 1 to 70 characters (RFC 2046)"));
        }
        return Uni.createFrom().emitter(emitter -> {
            boolean[] seen = {false};
            IdleDeadline deadline = IdleDeadline.watch(request, vertx(), idleTimeout());
            deadline.onTimeout(emitter::fail); // stalled before the file part (within it, the part's stream fails)
            try {
                request.setExpectMultipart(true);
            } catch (RuntimeException e) { // Netty's decoder refused the Content-Type after all
                emitter.fail(new ReelvaultException(
                        ErrorCode.INVALID_REQUEST, "the multipart Content-Type is malformed", e));
                return;
            }
            request.uploadHandler(upload -> {
                if (!field.equals(upload.name()) || seen[0]) {
                    upload.handler(ignored -> {}); // skip other parts without keeping them
                    return;
                }
                seen[0] = true;
                upload.pause();
                Uni<T> stored;
                try {
                    stored = consumer.apply(upload, stream(deadline.follow(upload)));
                } catch (RuntimeException e) { // refused from the part's headers (a name or type not allowed)
                    upload.handler(ignored -> {}); // the rest of the part is read and dropped, never stored
                    upload.resume();
                    emitter.fail(e); // thrown on the event loop it reached no one: the request was never answered
                    return;
                }
                stored.subscribe().with(emitter::complete, emitter::fail);
            });
            request.endHandler(v -> {
                if (!seen[0]) {
                    emitter.fail(new ReelvaultException(
                            ErrorCode.INVALID_REQUEST, "the multipart body has no '" + field + "' file part"));
                }
            });
            request.exceptionHandler(e -> {
                if (!seen[0]) {
                    emitter.fail(interrupted(e));
                }
            });
            request.resume();
        });
    }

    /** RFC 2046's boundary: 1 to 70 of its characters, not ending in a space; quoted or not. */
    private static final Pattern BOUNDARY =
            Pattern.compile("[0-9A-Za-z'()+_,\\-./:=? ]{0,69}[0-9A-Za-z'()+_,\\-./:=?]");

    /**
     * Whether the Content-Type names exactly one usable {@code boundary}. Netty's multipart decoder, which reads it
     * next, fails with an unchecked exception (a 500) on an empty one ({@code boundary=}); anything RFC 2046 does not
     * allow is refused here instead, as {@code invalid_request}.
     */
    static boolean validBoundary(String contentType) {
        if (contentType == null) {
            return false;
        }
        String boundary = null;
        String[] params = contentType.split(";", -1);
        for (int i = 1; i < params.length; i++) {
            String param = params[i].strip();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase("boundary")) {
                if (boundary != null) {
                    return false; // twice
                }
                boundary = param.substring(eq + 1).strip();
                if (boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
                    boundary = boundary.substring(1, boundary.length() - 1);
                }
            }
        }
        return boundary != null && BOUNDARY.matcher(boundary).matches();
    }

    /** {@code REELVAULT_UPLOAD_IDLE_TIMEOUT}. */
    private static Duration idleTimeout() {
        return Arc.container().instance(ReelvaultConfig.class).get().uploads().idleTimeout();
    }

    private static Vertx vertx() {
        Context context = Vertx.currentContext();
        return context != null
                ? context.owner()
                : Arc.container().instance(Vertx.class).get();
    }

    private static Multi<ByteBuffer> stream(ReadStream<Buffer> source) {
        return MultiHelper.toMulti(source)
                .map(b -> b.getByteBuf().nioBuffer())
                .onFailure(e -> !(e instanceof ReelvaultException))
                .transform(RequestBodies::interrupted);
    }

    private static ReelvaultException interrupted(Throwable e) {
        return new ReelvaultException(ErrorCode.INVALID_REQUEST, "the request body was interrupted", e);
    }
}
