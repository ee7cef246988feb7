package io.reelvault.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code REELVAULT_PUBLIC_BASE_URL}, the base of the local backend's signed URLs, where port 0 means the port this
 * server listens on. Port 0 is what the default ({@code http://localhost:${quarkus.http.port}}) becomes when
 * {@code QUARKUS_HTTP_PORT=0} asks for a free port, and what the tests use ({@code quarkus.http.test-port=0}): that
 * port is known only once the HTTP server listens, after the store was opened, so it is read when a URL is signed.
 * Any other URL is used as configured. The request's {@code Host} header is never used: a client could point signed
 * URLs at a host of its choosing.
 */
public final class PublicBaseUrl {
    private PublicBaseUrl() {}

    /** @param listeningPort the HTTP port the server listens on, or a negative number before it listens */
    public static Supplier<URI> of(URI configured, IntSupplier listeningPort) {
        if (configured.getPort() != 0) {
            return () -> configured;
        }
        return () -> {
            int port = listeningPort.getAsInt();
            return port > 0 ? withPort(configured, port) : configured;
        };
    }

    static URI withPort(URI uri, int port) {
        try {
            return new URI(
                    uri.getScheme(),
                    uri.getUserInfo(),
                    uri.getHost(),
                    port,
                    uri.getPath(),
                    uri.getQuery(),
                    uri.getFragment());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(uri + " with port " + port, e);
        }
    }
}
