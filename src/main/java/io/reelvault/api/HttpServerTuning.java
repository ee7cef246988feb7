package io.reelvault.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns off the cleartext HTTP/2 upgrade ({@code Upgrade: h2c}): to upgrade, the server must first
 * aggregate the whole HTTP/1.1 request body in memory, so one large upload carrying that header
 * (Java's HttpClient sends it by default) could exhaust the heap. HTTP/2 over TLS (ALPN) is
 * unaffected; cleartext clients stay on HTTP/1.1, where bodies stream.
 */
@ApplicationScoped
public class HttpServerTuning implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
