package io.reelvault.api.openapi;

import io.quarkus.smallrye.openapi.runtime.OpenApiConstants;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.reelvault.api.problem.Problems;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.smallrye.openapi.runtime.io.Format;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Serves the OpenAPI document ({@code /q/openapi}, {@code /q/openapi.json}, {@code .yaml}, {@code .yml}) from bytes
 * made once per format, at the first request for it, on a worker thread; the format is chosen as Quarkus' own handler
 * chooses it: the path's suffix, else JSON for {@code Accept: application/json} or {@code ?format=json}, else YAML.
 *
 * <p>Why: by default Quarkus prepares the document during start-up, on the main thread: it parses the document the
 * build made, runs {@link ApiDocumentFilter} (which needs the runtime's public base URL) and writes it as JSON and as
 * YAML, all cold code: 0.13 s of a 1.45 s start (AppCDS; async-profiler: 0.31 s of the main thread's wall time with
 * the parsing). As a per-request filter ({@code @OpenApiFilter(stages = RUNTIME_PER_REQUEST)}) it leaves only the
 * parsing at start-up, but then Quarkus' handler would run the filters and write the whole document on every request,
 * on the event loop (20-30 ms of CPU each, for anyone who asks): this route asks Quarkus once per format and keeps the
 * bytes (the document depends on the configuration only, fixed for the process).
 *
 * <p>{@code OPTIONS} goes on to Quarkus' handler (its {@code Allow} header, the CORS preflight); any other method but
 * {@code GET} and {@code HEAD} is a 405 {@code method_not_allowed} (Quarkus' handler answered the document to any).
 */
@Singleton
public class ApiDocumentRoute {
    static final String ALLOW = "GET, HEAD, OPTIONS";

    private final OpenApiDocumentService documents;
    private final Problems problems;
    private final Map<Format, Future<byte[]>> made = new ConcurrentHashMap<>();

    ApiDocumentRoute(OpenApiDocumentService documents, Problems problems) {
        this.documents = documents;
        this.problems = problems;
    }

    static void register(
            @Observes Router router,
            ApiDocumentRoute route,
            @ConfigProperty(name = "quarkus.http.non-application-root-path", defaultValue = "q") String root,
            @ConfigProperty(name = "quarkus.smallrye-openapi.path", defaultValue = "openapi") String path) {
        router.routeWithRegex(Pattern.quote(documentPath(root, path)) + "(\\.json|\\.yaml|\\.yml)?")
                .order(-200)
                .handler(route::handle);
    }

    /** The document's path as Quarkus resolves it: an absolute path as it is, else under the non-application root. */
    static String documentPath(String root, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        String base = root.startsWith("/") ? root : "/" + root;
        return (base.endsWith("/") ? base : base + "/") + path;
    }

    void handle(RoutingContext ctx) { // not private: the client proxy forwards it
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.OPTIONS) {
            ctx.next();
            return;
        }
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            ctx.response().putHeader(HttpHeaders.ALLOW, ALLOW);
            answer(ctx, new ReelvaultException(ErrorCode.METHOD_NOT_ALLOWED, "the API document allows GET and HEAD"));
            return;
        }
        Format format =
                format(ctx.normalizedPath(), ctx.request().getHeader(HttpHeaders.ACCEPT), ctx.queryParam("format"));
        document(ctx.vertx(), format).onComplete(done -> {
            if (done.failed()) {
                answer(ctx, done.cause());
                return;
            }
            ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, format.getMimeType() + ";charset=UTF-8")
                    .end(Buffer.buffer(done.result()));
        });
    }

    /** Quarkus' choice: the path's suffix, else JSON when the client accepts it or asks {@code format=json}. */
    static Format format(String path, String accept, List<String> formatParameter) {
        if (path.endsWith(".json")) {
            return Format.JSON;
        }
        if (path.endsWith(".yaml") || path.endsWith(".yml")) {
            return Format.YAML;
        }
        boolean json = (accept != null && accept.contains(Format.JSON.getMimeType()))
                || (!formatParameter.isEmpty() && "JSON".equalsIgnoreCase(formatParameter.get(0)));
        return json ? Format.JSON : Format.YAML;
    }

    /** The document in this format: made on a worker at the first request, then the same bytes; a failure is not kept. */
    Future<byte[]> document(Vertx vertx, Format format) {
        return made.compute(
                format,
                (f, known) -> known != null && !known.failed()
                        ? known
                        : vertx.executeBlocking(
                                () -> documents.getDocument(OpenApiConstants.DEFAULT_DOCUMENT_NAME, f), false));
    }

    private void answer(RoutingContext ctx, Throwable failure) {
        Problems.Answer answer = problems.answer(failure);
        HttpServerResponse response = ctx.response().setStatusCode(answer.status());
        answer.headers().forEach(response::putHeader);
        response.end(answer.body());
    }
}
