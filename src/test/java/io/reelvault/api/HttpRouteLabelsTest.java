package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HttpRouteLabelsTest {
    @Test
    void templatesComeFromTheResourcesPathAnnotations() {
        Set<String> templates =
                HttpRouteLabels.templates(List.of(UploadResource.class, TempResource.class, String.class));
        assertTrue(
                templates.containsAll(Set.of(
                        "/api/v1/uploads",
                        "/api/v1/uploads/presign",
                        "/api/v1/uploads/{uploadId}",
                        "/api/v1/uploads/{uploadId}/url",
                        "/api/v1/temp/{jobId}",
                        "/api/v1/temp/{jobId}/{name}")),
                templates.toString());
        assertEquals("/a/b", HttpRouteLabels.normalize("a//b/"));
        assertEquals(
                Set.of("/storage/{key}"), HttpRouteLabels.matchPatternValues(List.of("/storage/.+=/storage/{key}")));
    }

    @Test
    void anyOtherUriOfAnHttpServerMeterBecomesUnmatched() {
        MeterFilter filter = HttpRouteLabels.filter(Set.of("/api/v1/uploads/{uploadId}", "NOT_FOUND"));
        assertEquals("/api/v1/uploads/{uploadId}", uri(filter, "http.server.requests", "/api/v1/uploads/{uploadId}"));
        assertEquals("NOT_FOUND", uri(filter, "http.server.requests", "NOT_FOUND"));
        assertEquals("UNMATCHED", uri(filter, "http.server.requests", "/api/v1/uploads/upload_20260101_aaaaaaaaaaaa"));
        assertEquals("UNMATCHED", uri(filter, "http.server.requests", "/api/v1/uploads/{x}zzz"));
        assertEquals("/anything", uri(filter, "http.client.requests", "/anything"), "other meters are left alone");
    }

    @Test
    void anyOtherMethodOfAnHttpServerMeterBecomesOther() {
        MeterFilter filter = HttpRouteLabels.filter(Set.of("NOT_FOUND"));
        for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT")) {
            assertEquals(method, method(filter, "http.server.requests", method));
        }
        for (String method : List.of("FOO", "get", "PROPFIND", "X" + "A".repeat(1000))) {
            assertEquals("OTHER", method(filter, "http.server.requests", method), method);
        }
        assertEquals("FOO", method(filter, "http.client.requests", "FOO"), "other meters are left alone");
    }

    @Test
    void theAllowedValuesAreAskedOnceAtTheFirstHttpServerMeterNotBefore() {
        AtomicInteger asked = new AtomicInteger();
        MeterFilter filter = HttpRouteLabels.filter(() -> {
            asked.incrementAndGet();
            return Set.of("NOT_FOUND");
        });
        assertEquals(0, asked.get(), "making the filter (start-up) reads no annotation");
        assertEquals("/anything", uri(filter, "http.client.requests", "/anything"));
        assertEquals(0, asked.get(), "nor does another meter");
        assertEquals("NOT_FOUND", uri(filter, "http.server.requests", "NOT_FOUND"));
        assertEquals("UNMATCHED", uri(filter, "http.server.requests", "/x"));
        assertEquals(1, asked.get(), "the first HTTP server meter asks, once");
    }

    private static String method(MeterFilter filter, String name, String method) {
        Meter.Id id = new Meter.Id(name, Tags.of("uri", "NOT_FOUND", "method", method), null, null, Meter.Type.TIMER);
        return filter.map(id).getTag("method");
    }

    private static String uri(MeterFilter filter, String name, String uri) {
        Meter.Id id = new Meter.Id(name, Tags.of("uri", uri, "method", "GET"), null, null, Meter.Type.TIMER);
        return filter.map(id).getTag("uri");
    }
}
