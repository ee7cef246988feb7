package io.reelvault.api;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code Tus-Resumable: 1.0.0} on every answer under {@code /api/v1/tus} (tus 1.0: every response but OPTIONS must
 * carry it; OPTIONS gets it too, which clients ignore), whoever answers it: the resource, the security layer (401), a
 * filter (429, 503) or the problem mapper.
 */
@ApplicationScoped
public class TusHeaders {
    void register(@Observes Router router) {
        router.route("/api/v1/tus*").order(-900).handler(ctx -> {
            ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Tus-Resumable", TusResource.VERSION));
            ctx.next();
        });
    }
}
