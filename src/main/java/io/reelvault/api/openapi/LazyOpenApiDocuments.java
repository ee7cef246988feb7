package io.reelvault.api.openapi;

import io.quarkus.arc.Unremovable;
import io.quarkus.smallrye.openapi.runtime.LazyOpenApiDocumentService;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * Replaces Quarkus' OpenAPI document service by {@link LazyOpenApiDocumentService}: the document is built on the first
 * {@code /q/openapi} request, not at start-up.
 */
@Singleton
public class LazyOpenApiDocuments {
    /** A singleton, no client proxy: Quarkus calls the package-private {@code prepareDocument} on the bean itself. */
    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    @Unremovable
    OpenApiDocumentService documentService(Config config) {
        return new LazyOpenApiDocumentService(config);
    }
}
