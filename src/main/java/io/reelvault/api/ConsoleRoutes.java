package io.reelvault.api;

import io.quarkus.vertx.http.HttpServer;
import io.reelvault.api.problem.Problems;
import io.reelvault.config.PublicBaseUrl;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ReelvaultException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The web console's files ({@code META-INF/resources}: {@code /} and {@code /index.html}, {@code /console/*},
 * {@code /vendor/*}), served by Quarkus' static handler. This filter runs before it: with the console off
 * ({@code REELVAULT_CONSOLE_ENABLED}) every such path answers 404 {@code not_found}; on, each answer gets a strict
 * Content-Security-Policy (scripts, styles and fonts of this origin only, so no inline script or handler runs; fetches,
 * images and media of this origin and of the storage that signed URLs point to), {@code nosniff}, no framing and no
 * referrer. The console holds no secret: it calls the public API with the token its user pastes.
 */
@Singleton
public class ConsoleRoutes {
    private final boolean enabled;
    private final ReelvaultConfig config;
    private final Optional<URI> s3Endpoint;
    private final boolean s3PathStyle;
    private final Instance<HttpServer> server;
    private final Problems problems;
    private volatile String policy;

    public ConsoleRoutes(
            ReelvaultConfig config,
            @ConfigProperty(name = "quarkus.s3.endpoint-override") Optional<URI> s3Endpoint,
            @ConfigProperty(name = "quarkus.s3.path-style-access", defaultValue = "false") boolean s3PathStyle,
            Instance<HttpServer> server,
            Problems problems) {
        this.enabled = config.console().enabled();
        this.config = config;
        this.s3Endpoint = s3Endpoint;
        this.s3PathStyle = s3PathStyle;
        this.server = server;
        this.problems = problems;
    }

    static void register(@Observes Router router, ConsoleRoutes routes) {
        router.routeWithRegex("/|/index\\.html|/console/.*|/vendor/.*")
                .order(-200)
                .handler(routes::handle);
    }

    void handle(RoutingContext ctx) { // not private: the client proxy forwards it
        if (!enabled) {
            Problems.Answer answer = problems.answer(ReelvaultException.notFound("resource"));
            var response = ctx.response().setStatusCode(answer.status());
            answer.headers().forEach(response::putHeader);
            response.end(answer.body());
            return;
        }
        ctx.response()
                .putHeader("Content-Security-Policy", policy())
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-cache");
        ctx.next();
    }

    /** The console's policy; made once the storage origin is known (a local base URL's port 0 needs the server's). */
    String policy() {
        String made = policy;
        if (made == null) {
            int port = server.isResolvable() ? server.get().getPort() : -1;
            String storage = String.join(" ", storageOrigins(port));
            made = "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'"
                    + "; img-src 'self' blob: data: " + storage
                    + "; media-src 'self' blob: " + storage
                    + "; connect-src 'self' " + storage
                    + "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            if (port > 0 || config.publicBaseUrl().getPort() != 0) {
                policy = made;
            }
        }
        return made;
    }

    /**
     * The origins signed URLs point to: the local backend's public base URL, or the bucket's origin as the AWS SDK
     * addresses it (an endpoint override's, with the bucket as the first label unless path-style; else the regional
     * virtual-hosted name).
     */
    Set<String> storageOrigins(int listeningPort) {
        Set<String> origins = new LinkedHashSet<>();
        if (config.storage().useLocal()) {
            origins.add(origin(PublicBaseUrl.of(config.publicBaseUrl(), () -> listeningPort)
                    .get()));
            return origins;
        }
        String bucket = config.storage().s3().bucket().orElse("");
        String region = config.storage().s3().region().orElse("");
        if (s3Endpoint.isPresent()) {
            URI endpoint = s3Endpoint.get();
            origins.add(
                    s3PathStyle
                            ? origin(endpoint)
                            : endpoint.getScheme() + "://" + bucket + "." + endpoint.getHost() + port(endpoint));
        } else {
            origins.add("https://" + bucket + ".s3." + region + ".amazonaws.com");
        }
        return origins;
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + port(uri);
    }

    private static String port(URI uri) {
        return uri.getPort() > 0 ? ":" + uri.getPort() : "";
    }
}
