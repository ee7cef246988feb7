package io.reelvault.api.openapi;

import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The run-time configuration the document depends on ({@link ApiDocumentFilter}): the public base URL (its server)
 * and the management interface's port (the server of the operators' endpoints), as configured when the service
 * starts. They are captured at start ({@link #capture()}, a few config reads) while the document itself is built on
 * the first {@code /q/openapi} request ({@code LazyOpenApiDocumentService}): once the service listens, Quarkus
 * rewrites the port properties to the ports it bound (random ones in tests), which must not leak into the document.
 *
 * @param publicBaseUrl {@code reelvault.public-base-url}, absent when unset or on port 0 (the listening port,
 *     unknown when the document is made: no server then, which OpenAPI reads as "/", the document's own origin)
 * @param managementPort {@code quarkus.management.port}, 9000 by default
 */
public record DocumentInputs(Optional<String> publicBaseUrl, int managementPort) {
    private static volatile DocumentInputs captured;

    /** Reads them now and keeps them for the document built later. */
    public static void capture() {
        captured = read();
    }

    /** Those captured at start; read now when nothing was captured (the document built eagerly). */
    static DocumentInputs current() {
        DocumentInputs inputs = captured;
        return inputs != null ? inputs : read();
    }

    private static DocumentInputs read() {
        var config = ConfigProvider.getConfig();
        return new DocumentInputs(
                config.getOptionalValue("reelvault.public-base-url", String.class)
                        .filter(url -> URI.create(url).getPort() != 0),
                config.getOptionalValue("quarkus.management.port", Integer.class)
                        .orElse(9000));
    }
}
