package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.MetricsText;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Unauthenticated requests with invented methods and paths: what they cost the metrics. Every such request is
 * measured by Quarkus' HTTP binder (before any handler runs), with the request's own method and, on a 405, its raw
 * path as tags. The {@code method} and {@code uri} labels must stay closed sets, and the registry's caches (its meters
 * and its map from pre-filter ids to meters) must not grow with what callers invent.
 */
@QuarkusTest
class HttpMetricCardinalityTest {
    /** Distinct invented methods and paths sent; {@code -Dcardinality.requests=100000} for the full attack. */
    static final int REQUESTS = Integer.getInteger("cardinality.requests", 2_000);

    static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT", "OTHER");

    @Inject
    MeterRegistry registry;

    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void inventedMethodsAndPathsAddNoSeriesAndNoCachedIds() throws Exception {
        // each kind once first: the shared OTHER / UNMATCHED series may be created then
        send(attack("W", 0, 8));
        Counts before = counts();
        Set<String> meters = ids();

        int sent = 0;
        for (int from = 0; from < REQUESTS; from += 256) {
            sent += send(attack("X", from, Math.min(REQUESTS, from + 256)));
        }
        Counts after = counts();

        Set<String> added = ids();
        added.removeAll(meters);
        assertEquals(before.meters(), after.meters(), "meters before and after " + sent + " requests; new: " + added);
        assertEquals(before.preFilterIds(), after.preFilterIds(), "pre-filter ids cached before and after");
        Set<String> methods = MetricsText.scrape().labelValues("http_server_requests_seconds_count", "method");
        assertTrue(METHODS.containsAll(methods), "method labels: " + methods);
        assertTrue(methods.contains("OTHER"), "invented methods are counted as OTHER: " + methods);
    }

    /**
     * Requests {@code from} to {@code to} (excluded) with distinct invented methods on the root, on a route's path (a 405 with the raw path), on
     * an unknown path (a 404); every third one also a PATCH, a known method without a route, on a distinct path.
     */
    List<HttpRequest> attack(String prefix, int from, int to) {
        List<HttpRequest> attack = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String tag = prefix.toLowerCase() + Integer.toString(i, 36);
            attack.add(request(
                    tag.toUpperCase(),
                    switch (i % 4) {
                        case 0 -> "/";
                        case 1 -> "/api/v1/uploads/" + tag;
                        case 2 -> "/api/v1/temp/" + tag + "/" + tag;
                        default -> "/nowhere/" + tag;
                    }));
            if (i % 3 == 0) {
                attack.add(request("PATCH", "/api/v1/uploads/upload_20260101_" + tag));
            }
        }
        return attack;
    }

    HttpRequest request(String method, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
    }

    /** Sends in batches of 32 in flight; every request must get an answer. */
    int send(List<HttpRequest> requests) throws Exception {
        for (int from = 0; from < requests.size(); from += 32) {
            List<CompletableFuture<HttpResponse<Void>>> batch = new ArrayList<>();
            for (HttpRequest r : requests.subList(from, Math.min(requests.size(), from + 32))) {
                batch.add(http.sendAsync(r, HttpResponse.BodyHandlers.discarding()));
            }
            for (CompletableFuture<HttpResponse<Void>> f : batch) {
                int status = f.get().statusCode();
                assertTrue(status >= 200 && status < 600, "answered: " + status);
            }
        }
        return requests.size();
    }

    Set<String> ids() {
        Set<String> ids = new TreeSet<>();
        registry.getMeters().stream()
                .filter(m -> http(m.getId()))
                .forEach(m -> ids.add(m.getId().toString()));
        return ids;
    }

    record Counts(int meters, int preFilterIds) {}

    /** HTTP meters and cached pre-filter ids of HTTP meters of the application's registry and of every registry under it. */
    Counts counts() throws Exception {
        int meters = 0;
        int ids = 0;
        List<MeterRegistry> all = new ArrayList<>(List.of(registry));
        for (int i = 0; i < all.size(); i++) {
            MeterRegistry r = all.get(i);
            meters += (int) r.getMeters().stream().filter(m -> http(m.getId())).count();
            ids += (int) preFilterIdToMeterMap(r).keySet().stream()
                    .filter(id -> http((Meter.Id) id))
                    .count();
            if (r instanceof CompositeMeterRegistry composite) {
                all.addAll(composite.getRegistries());
            }
        }
        return new Counts(meters, ids);
    }

    /** The HTTP meters (the JVM's, the application's own come and go on their own: a first GC of a new kind). */
    static boolean http(Meter.Id id) {
        return id.getName().startsWith("http.");
    }

    static Map<?, ?> preFilterIdToMeterMap(MeterRegistry registry) throws Exception {
        Field field = MeterRegistry.class.getDeclaredField("preFilterIdToMeterMap");
        field.setAccessible(true);
        return (Map<?, ?>) field.get(registry);
    }
}
