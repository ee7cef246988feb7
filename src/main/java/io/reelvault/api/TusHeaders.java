package io.reelvault.api;

import io.reelvault.api.problem.Problems;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Set;

/**
 * The tus protocol's own rules for every request under {@code /api/v1/tus}, as a Vert.x route ahead of the resources
 * (nothing of a body is read here):
 * <ul>
 *   <li>{@code Tus-Resumable: 1.0.0} on every answer (tus 1.0: every response but OPTIONS must carry it; OPTIONS gets it
 *       too, which clients ignore), whoever answers it: the resource, the security layer (401), a filter (429, 503) or
 *       the problem mapper;
 *   <li>{@code X-HTTP-Method-Override}: a POST that names PATCH, DELETE or HEAD there (a client or proxy that cannot send
 *       those) is routed again as that method, before any JAX-RS processing of the request (and of its body). Any
 *       other value (another method, a list, garbage; {@code POST} itself is allowed) is 400 {@code invalid_request}
 *       at once, rather than silently served as the POST (a creation) the client did not mean; its body is never read.
 * </ul>
 */
@ApplicationScoped
public class TusHeaders {
    static final String OVERRIDE = "X-HTTP-Method-Override";
    private static final Set<String> OVERRIDABLE = Set.of("PATCH", "DELETE", "HEAD");

    private final Problems problems;

    public TusHeaders(Problems problems) {
        this.problems = problems;
    }

    void register(@Observes Router router) {
        router.route("/api/v1/tus*").order(-900).handler(ctx -> {
            String wanted = ctx.request().getHeader(OVERRIDE);
            if (wanted != null && ctx.request().method() == HttpMethod.POST) {
                String method = wanted.strip().toUpperCase(Locale.ROOT);
                if (OVERRIDABLE.contains(method)) {
                    ctx.reroute(HttpMethod.valueOf(method), ctx.request().uri());
                    return;
                }
                if (!method.equals("POST")) {
                    ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Tus-Resumable", TusResource.VERSION));
                    Problems.Answer answer = problems.answer(new ReelvaultException(
                            ErrorCode.INVALID_REQUEST, OVERRIDE + " must be PATCH, DELETE or HEAD"));
                    HttpServerResponse response = ctx.response().setStatusCode(answer.status());
                    answer.headers().forEach(response::putHeader);
                    response.end(answer.body());
                    return;
                }
            }
            ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Tus-Resumable", TusResource.VERSION));
            ctx.next();
        });
    }
}
