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
 * connection is closed instead, as S3 and nginx do, and so it is when the answer says {@code Connection: close}.
 * Nothing of a drained body is kept.
 */
@ApplicationScoped
public class UnreadBodyDrainer {
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    void register(@Observes Router router) {
        router.route().order(-1000).handler(ctx -> {
            ctx.addEndHandler(ended -> drain(ctx));
            ctx.next();
        });
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
        request.exceptionHandler(e -> { });
        request.resume();
    }
}
