package io.quarkus.smallrye.openapi.runtime;

import io.quarkus.arc.Unremovable;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.quarkus.smallrye.openapi.runtime.filter.AutoSecurityFilter;
import io.reelvault.api.openapi.DocumentInputs;
import io.smallrye.openapi.runtime.io.Format;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the OpenAPI document on the first {@code /q/openapi} request instead of at start-up. Quarkus 3.33 prepares
 * it eagerly in a RUNTIME_INIT step ({@code SmallRyeOpenApiProcessor.prepareDocuments}: the build-time document parsed
 * by the YAML parser, our {@code mp.openapi.filter}, then rendered as JSON and YAML): 0.5-0.7 CPU-seconds of every
 * start, a quarter of it, for a document few starts ever serve. Upstream builds it lazily when no RUNTIME_STARTUP filter
 * exists (quarkusio/quarkus#55538, after 3.33); this alternative does the same here and goes when Quarkus is upgraded
 * past it. The document is the same: Quarkus' own preparation runs, only later, with the run-time configuration it
 * depends on captured at start ({@link DocumentInputs}).
 *
 * <p>It lives in Quarkus' package to override {@code prepareDocument}, which is package-private (a rename upstream
 * fails the compilation through {@code @Override}). Where the class loader of the application is not the
 * extension's (dev mode's reloadable one), the method does not override and Quarkus prepares the document eagerly,
 * as before.
 */
@Alternative
@Priority(1)
@ApplicationScoped
@Unremovable // only Quarkus looks it up, by its superclass
public class LazyOpenApiDocumentService extends OpenApiDocumentService {
    private final List<Runnable> pending = new ArrayList<>();
    private volatile boolean prepared = true;

    @Override
    void prepareDocument(
            AutoSecurityFilter autoSecurityFilter, Map<OpenApiFilter.RunStage, List<String>> filters, String name) {
        DocumentInputs.capture();
        synchronized (this) {
            pending.add(() -> super.prepareDocument(autoSecurityFilter, filters, name));
            prepared = false;
        }
    }

    @Override
    public byte[] getDocument(String name, Format format) {
        if (!prepared) {
            prepareNow();
        }
        return super.getDocument(name, format);
    }

    private synchronized void prepareNow() {
        if (!prepared) {
            pending.forEach(Runnable::run);
            pending.clear();
            prepared = true;
        }
    }
}
