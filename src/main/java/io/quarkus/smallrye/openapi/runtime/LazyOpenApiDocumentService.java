package io.quarkus.smallrye.openapi.runtime;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.quarkus.smallrye.openapi.runtime.filter.AutoSecurityFilter;
import io.reelvault.api.openapi.DocumentInputs;
import io.smallrye.openapi.runtime.io.Format;
import jakarta.enterprise.inject.Vetoed;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * Builds the OpenAPI document on the first {@code /q/openapi} request instead of at start-up. Quarkus 3.33 prepares
 * it eagerly in a RUNTIME_INIT step ({@code SmallRyeOpenApiProcessor.prepareDocuments}: the build-time document parsed
 * by the YAML parser, our {@code mp.openapi.filter}, then rendered as JSON and YAML): 0.5-0.7 CPU-seconds of every
 * start, a quarter of it, for a document few starts ever serve. Upstream builds it lazily when no RUNTIME_STARTUP
 * filter exists (quarkusio/quarkus#55538, after 3.33); this does the same here and goes when Quarkus is upgraded past
 * it. The document is the same: Quarkus' own preparation runs, only later, with the run-time configuration it depends
 * on captured at start ({@link DocumentInputs}). Made by {@code io.reelvault.api.openapi.LazyOpenApiDocuments}.
 *
 * <p>It lives in Quarkus' package to override {@code prepareDocument}, which is package-private (a rename upstream
 * fails the compilation through {@code @Override}). That works in the packaged application, whose one class loader
 * holds the application and the extension. In dev and test mode the application has a class loader of its own, the
 * method does not override, and Quarkus prepares the document at start as before (so nothing here touches the
 * superclass' package-private members directly). {@code OpenApiPackagedIT} checks the packaged application's document.
 */
@Vetoed
public class LazyOpenApiDocumentService extends OpenApiDocumentService {
    private final List<Runnable> pending = new ArrayList<>();
    private volatile boolean prepared = true;

    public LazyOpenApiDocumentService(Config config) {
        try {
            // the superclass' injected field: set by reflection, the one access that works from either class loader
            Field field = OpenApiDocumentService.class.getDeclaredField("config");
            field.setAccessible(true);
            field.set(this, config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Quarkus' OpenApiDocumentService changed: " + e, e);
        }
    }

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
