package io.reelvault.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * When a request is answered before its body was read (a 413 or 415 found from the headers or the
 * first bytes), the client may still be sending. Most clients read the answer only after sending,
 * so the rest of the body is read and discarded, up to {@value #DRAIN_LIMIT} bytes; past that the
 * connection is closed instead, as S3 and nginx do, and so it is when the answer says {@code Connection: close}
 * (which it does at once when the declared Content-Length leaves more than that to read).
 * Nothing of a drained body is kept.
 */
@ApplicationScoped
public class UnreadBodyDrainer {
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    void register(@Observes Router router) {
        router.route().order(-1000).handler(ctx -> {
            ctx.addHeadersEndHandler(v -> announceClose(ctx));
            ctx.addEndHandler(ended -> drain(ctx));
            ctx.next();
        });
    }

    /**
     * An answer given before a body declared longer than {@value #DRAIN_LIMIT} bytes was read (a Content-Length of
     * 10^18 refused with 413) says {@code Connection: close}, as HTTP asks of a server that will not read the rest:
     * draining it would take the whole limit first, and a client that waits for the answer (or sends slowly) would
     * keep the connection open meanwhile.
     */
    private static void announceClose(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.isEnded()) {
            return;
        }
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            if (declared != null && Long.parseLong(declared.trim()) - request.bytesRead() > DRAIN_LIMIT) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            }
        } catch (NumberFormatException e) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close"); // no framing to drain by
        }
    }

    private static void drain(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if ("close".equalsIgnoreCase(ctx.response().headers().get(HttpHeaders.CONNECTION))) {
            request.connection().close(); // the answer said so (a body cut for idleness: its client is not sending)
            return;
        }
        if (request.isEnded()) {
            return;
        }
        long[] drained = {0};
        request.handler(buffer -> {
            drained[0] += buffer.length();
            if (drained[0] > DRAIN_LIMIT) {
                request.connection().close();
            }
        });
        request.exceptionHandler(e -> {});
        request.resume();
    }
}
