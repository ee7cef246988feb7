package io.reelvault.api.openapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.smallrye.openapi.runtime.io.Format;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiDocumentRouteTest {
    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Quarkus' document service with always-run-filter: every call makes the document anew (here: counts them). */
    static final class CountingDocuments extends OpenApiDocumentService {
        final AtomicInteger made = new AtomicInteger();
        volatile boolean fail;
        volatile String thread;

        @Override
        public byte[] getDocument(String name, Format format) {
            made.incrementAndGet();
            thread = Thread.currentThread().getName();
            if (!"<default>".equals(name)) {
                throw new IllegalArgumentException("no document " + name);
            }
            if (fail) {
                throw new IllegalStateException("an unknown code in an annotation");
            }
            return format.name().getBytes(StandardCharsets.UTF_8);
        }
    }

    private static byte[] get(ApiDocumentRoute route, Format format) throws Exception {
        return route.document(vertx, format)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachFormatIsMadeOnceOnAWorkerThenServedFromMemory() throws Exception {
        CountingDocuments documents = new CountingDocuments();
        ApiDocumentRoute route = new ApiDocumentRoute(documents, null);
        assertEquals(0, documents.made.get(), "nothing is made before the first request");
        for (int i = 0; i < 5; i++) {
            assertArrayEquals("JSON".getBytes(StandardCharsets.UTF_8), get(route, Format.JSON));
        }
        assertEquals(1, documents.made.get());
        assertTrue(documents.thread.contains("worker"), "made on a worker, not an event loop: " + documents.thread);
        assertArrayEquals("YAML".getBytes(StandardCharsets.UTF_8), get(route, Format.YAML));
        assertArrayEquals("YAML".getBytes(StandardCharsets.UTF_8), get(route, Format.YAML));
        assertEquals(2, documents.made.get());
    }

    @Test
    void aFailureIsNotKept() throws Exception {
        CountingDocuments documents = new CountingDocuments();
        ApiDocumentRoute route = new ApiDocumentRoute(documents, null);
        documents.fail = true;
        assertTrue(route.document(vertx, Format.JSON)
                .toCompletionStage()
                .toCompletableFuture()
                .handle((bytes, failure) -> failure != null)
                .get(10, TimeUnit.SECONDS));
        documents.fail = false;
        assertArrayEquals("JSON".getBytes(StandardCharsets.UTF_8), get(route, Format.JSON));
        assertEquals(2, documents.made.get(), "the next request tries again");
    }

    @Test
    void theFormatIsChosenAsQuarkusChoosesIt() {
        assertEquals(Format.JSON, ApiDocumentRoute.format("/q/openapi.json", null, List.of()));
        assertEquals(Format.YAML, ApiDocumentRoute.format("/q/openapi.yaml", "application/json", List.of("json")));
        assertEquals(Format.YAML, ApiDocumentRoute.format("/q/openapi.yml", null, List.of()));
        assertEquals(Format.JSON, ApiDocumentRoute.format("/q/openapi", "application/json, */*", List.of()));
        assertEquals(Format.JSON, ApiDocumentRoute.format("/q/openapi", null, List.of("Json")));
        assertEquals(Format.YAML, ApiDocumentRoute.format("/q/openapi", null, List.of("yaml")));
        assertEquals(Format.YAML, ApiDocumentRoute.format("/q/openapi", "*/*", List.of()));
        assertEquals("/q/openapi", ApiDocumentRoute.documentPath("q", "openapi"));
        assertEquals("/q/openapi", ApiDocumentRoute.documentPath("/q/", "openapi"));
        assertEquals("/docs/api", ApiDocumentRoute.documentPath("q", "/docs/api"));
    }
}
