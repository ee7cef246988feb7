package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.Generations;
import io.reelvault.support.Management;
import io.reelvault.support.MetricsText;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.reelvault.support.Users;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Health, metrics and CORS: what operators and browsers meet. */
@QuarkusTest
@OpenApiContract.Checked
class OperationsApiTest {

    /**
     * The meters of DESIGN.md ("Metrics") and the ones the alert rules and the dashboard read, as Prometheus
     * sample names (a histogram as its {@code _bucket}, {@code _count} and {@code _sum}), on every backend.
     */
    static final List<String> METERS = List.of(
            "reelvault_storage_requests_total",
            "reelvault_storage_request_duration_seconds_bucket",
            "reelvault_storage_request_duration_seconds_count",
            "reelvault_storage_request_duration_seconds_sum",
            "reelvault_storage_transfer_bytes_total",
            "reelvault_storage_objects",
            "reelvault_storage_bytes",
            "reelvault_similar_cache_lookups_total",
            "reelvault_similar_cache_lookup_duration_seconds_bucket",
            "reelvault_generations_avoided_total",
            "reelvault_signed_urls_total",
            "reelvault_rate_limit_decisions_total",
            "reelvault_usage_scan_last_success_timestamp_seconds",
            "reelvault_usage_scan_pages_total",
            "reelvault_ready",
            "http_server_requests_seconds_bucket",
            "http_server_requests_seconds_count",
            "http_server_requests_seconds_sum",
            "jvm_memory_used_bytes",
            "process_cpu_usage");
    /** Registered only where the local backend serves: its sweeper and its disk. */
    static final List<String> LOCAL_METERS = List.of(
            "reelvault_lifecycle_expired_objects_total", "reelvault_lifecycle_last_success_timestamp_seconds",
            "reelvault_local_storage_free_bytes", "reelvault_local_storage_capacity_bytes");
    /** An id of any kind ({@code upload_20260101_...}, {@code gen_...}, {@code comp_...}). */
    static final Pattern ANY_ID = Pattern.compile("(upload|gen|comp)_\\d{8}_");

    /** What the readiness check names as the backend. */
    String backend() {
        return "local filesystem";
    }

    boolean localBackend() {
        return true;
    }

    @Test
    void livenessAndReadinessIncludeTheStorageProbe() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Management.given()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("storage"))
                .body("checks.find { it.name == 'storage' }.data.backend", equalTo(backend()));
    }

    /**
     * Health and metrics are for operators: on the management interface only (QUARKUS_MANAGEMENT_PORT), never on the
     * API port that callers reach. The API's own reference stays there.
     */
    @Test
    void operatorEndpointsAreOnTheManagementPortOnly() {
        for (String path :
                List.of("/q/metrics", "/q/health", "/q/health/live", "/q/health/ready", "/q/health/started")) {
            given().get(path).then().statusCode(404);
            Management.given().get(path).then().statusCode(200);
        }
        given().get("/q/openapi").then().statusCode(200);
        Management.given().get("/api/v1/uploads").then().statusCode(404);
    }

    @Test
    void storageMetricsUsePrometheusNamesAndNoIds() {
        String token = TestTokens.user("metered");
        MetricsText before = MetricsText.scrape();
        String id = Uploads.uploadRaw(token, "m.png", "image/png", Samples.png(4096))
                .statusCode(201)
                .extract()
                .path("upload_id");
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(200);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/upload_20260101_aaaaaaaaaaaa")
                .then()
                .statusCode(404);
        MetricsText after = MetricsText.scrape();
        String metrics = after.text();
        // the series exist from the start: what the upload and the two reads did must show as growth
        assertTrue(
                after.delta(before, "reelvault_storage_requests_total", "operation", "put", "outcome", "success") >= 1,
                "the upload's put counted");
        assertTrue(
                after.delta(before, "reelvault_storage_requests_total", "operation", "get", "outcome", "not_found")
                        >= 1,
                "the unknown upload's metadata read counted as not_found");
        assertTrue(
                after.delta(before, "reelvault_storage_transfer_bytes_total", "direction", "in") >= 4096,
                "the upload's 4096 bytes counted in");
        assertTrue(
                after.delta(before, "reelvault_storage_transfer_bytes_total", "direction", "out") > 0,
                "the metadata read counted out");
        assertTrue(
                after.delta(before, "reelvault_storage_request_duration_seconds_count", "operation", "put") >= 1,
                "the put timed");
        assertFalse(metrics.contains(id), "no id in any label");
        assertFalse(metrics.contains("metered"), "no user in any label");
        assertTrue(metrics.contains("uri=\"/api/v1/uploads/{uploadId}\""), "HTTP metrics use the route template");
    }

    @Test
    void everyDesignMeterIsExportedWithItsLabels() {
        String token = TestTokens.user(Users.freshUser("meters"));
        MetricsText before = MetricsText.scrape();
        String id = Uploads.uploadRaw(token, "m.png", "image/png", Samples.png(2048))
                .statusCode(201)
                .extract()
                .path("upload_id");
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Generations.PIPELINE)
                .contentType("application/json")
                .body(Map.of("prompt", "a lighthouse in fog, meters", "parameters", Map.of("seed", id)))
                .post("/api/v1/generations")
                .then()
                .statusCode(201);
        Management.given().get("/q/health/ready").then().statusCode(200);

        MetricsText metrics = MetricsText.scrape();
        // registered at start-up, so present either way: the actions above must have counted
        assertEquals(
                1.0, metrics.delta(before, "reelvault_signed_urls_total", "purpose", "preview"), "the one preview URL");
        assertEquals(
                1.0,
                metrics.delta(before, "reelvault_similar_cache_lookups_total", "result", "miss"),
                "the new prompt's lookup missed");
        assertTrue(
                metrics.delta(before, "reelvault_storage_transfer_bytes_total", "direction", "in") >= 2048,
                "the upload's bytes");
        Set<String> names = metrics.names();
        for (String name : METERS) {
            assertTrue(names.contains(name), name + " is exported");
        }
        for (String name : LOCAL_METERS) {
            assertEquals(localBackend(), names.contains(name), name + " is exported with the local backend only");
        }
        assertEquals(Set.of("operation", "outcome"), metrics.labelNames("reelvault_storage_requests_total"));
        assertEquals(
                Set.of("operation", "le"), metrics.labelNames("reelvault_storage_request_duration_seconds_bucket"));
        assertEquals(Set.of("in", "out"), metrics.labelValues("reelvault_storage_transfer_bytes_total", "direction"));
        Set<String> areas = Set.of("uploads", "generations", "compositions", "temp");
        assertEquals(areas, metrics.labelValues("reelvault_storage_objects", "area"));
        assertEquals(areas, metrics.labelValues("reelvault_storage_bytes", "area"));
        assertEquals(
                Set.of("upload", "preview", "download", "processing"),
                metrics.labelValues("reelvault_signed_urls_total", "purpose"));
        assertEquals(
                Set.of("exact", "similar", "miss", "error"),
                metrics.labelValues("reelvault_similar_cache_lookups_total", "result"));
        assertEquals(
                Set.of("upload", "url", "list"), metrics.labelValues("reelvault_rate_limit_decisions_total", "class"));
        assertEquals(
                Set.of("allowed", "limited", "error"),
                metrics.labelValues("reelvault_rate_limit_decisions_total", "result"));
        assertTrue(metrics.labelNames("http_server_requests_seconds_count")
                .containsAll(Set.of("method", "uri", "status", "outcome")));
        assertTrue(
                metrics.labelValues("http_server_requests_seconds_bucket", "le")
                        .containsAll(Set.of("0.005", "1.0", "300.0", "+Inf")),
                "HTTP latency is a histogram with fixed buckets");
        assertEquals(
                List.of("1.0"),
                metrics.samples().stream()
                        .filter(x -> x.name().equals("reelvault_ready"))
                        .map(MetricsText.Sample::value)
                        .toList(),
                "ready after a successful readiness check");
        if (localBackend()) {
            assertEquals(
                    Set.of("generations", "compositions", "temp"),
                    metrics.labelValues("reelvault_lifecycle_expired_objects_total", "area"));
            double free = metrics.first("reelvault_local_storage_free_bytes");
            double capacity = metrics.first("reelvault_local_storage_capacity_bytes");
            assertTrue(free > 0 && capacity >= free, "free " + free + " of " + capacity);
        }
    }

    /**
     * Requests whose paths carry ids, including the ones Quarkus would label with the raw path (405, an OPTIONS
     * that is not a complete CORS preflight): no id, user, job or object key reaches a label.
     */
    @Test
    void noLabelCarriesAnIdOrARawPath() {
        String user = Users.freshUser("labels");
        String token = TestTokens.user(user);
        MetricsText before = MetricsText.scrape();
        String id = Uploads.uploadRaw(token, "l.png", "image/png", Samples.png(1024))
                .statusCode(201)
                .extract()
                .path("upload_id");
        String url = given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url");
        if (localBackend()) {
            given().urlEncodingEnabled(false).get(url).then().statusCode(200);
        }
        String job = "labeljob-" + Long.toString(System.nanoTime(), 36);
        Generations.put("/api/v1/temp/" + job + "/a.tmp", "application/octet-stream", new byte[16])
                .statusCode(200);
        given().auth().oauth2(token).patch("/api/v1/uploads/" + id).then().statusCode(405);
        // a preflight without Access-Control-Request-Headers: Quarkus does not see it as one (no /cors-preflight)
        given().header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "DELETE")
                .options("/api/v1/temp/" + job + "/a.tmp")
                .then()
                .statusCode(200);
        given().get("/nowhere/" + id).then().statusCode(404);
        given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/upload_20260101_cccccccccccc")
                .then()
                .statusCode(404);

        MetricsText metrics = MetricsText.scrape();
        String text = metrics.text();
        assertFalse(ANY_ID.matcher(text).find(), "no id in any label");
        assertFalse(text.contains(user), "no user in any label");
        assertFalse(text.contains(job), "no job in any label");
        assertFalse(text.contains("/storage/uploads"), "no object key in any label");
        for (MetricsText.Sample sample : metrics.samples()) {
            String uri = sample.labels().get("uri");
            assertTrue(
                    uri == null
                            || Set.of("NOT_FOUND", "REDIRECTION", "root", "UNKNOWN", "UNMATCHED", "/cors-preflight")
                                    .contains(uri)
                            || uri.matches("(/([a-z0-9-]+|\\{[a-zA-Z]+}))+"),
                    "a route template: " + uri);
        }
        // each request above counted under its label set now (earlier tests may have left the same series)
        assertEquals(
                1.0,
                requestsAdded(before, metrics, "PATCH", "UNMATCHED", "405", "CLIENT_ERROR"),
                "a 405 without a route is UNMATCHED");
        assertEquals(
                1.0,
                requestsAdded(before, metrics, "OPTIONS", "UNMATCHED", "200", "SUCCESS"),
                "so is an OPTIONS request without a route");
        assertEquals(
                1.0,
                requestsAdded(before, metrics, "GET", "NOT_FOUND", "404", "CLIENT_ERROR"),
                "an unknown path is NOT_FOUND");
        assertEquals(
                1.0,
                requestsAdded(before, metrics, "GET", "/api/v1/uploads/{uploadId}", "404", "CLIENT_ERROR"),
                "4xx by route");
        if (localBackend()) {
            assertTrue(
                    requestsAdded(before, metrics, "GET", "/storage/{key}", "200", "SUCCESS") >= 1,
                    "signed URLs as one route");
        }
    }

    /** {@code http_server_requests_seconds_count} of exactly these labels, from {@code before} to {@code after}. */
    static double requestsAdded(
            MetricsText before, MetricsText after, String method, String uri, String status, String outcome) {
        return after.delta(
                before,
                "http_server_requests_seconds_count",
                "method",
                method,
                "uri",
                uri,
                "status",
                status,
                "outcome",
                outcome);
    }

    @Test
    void corsAllowsTheConfiguredOriginOnly() {
        given().header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/api/v1/uploads")
                .then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Allow-Methods", containsString("POST"));
        given().header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .options("/api/v1/uploads")
                .then()
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "http://localhost:5173")
                .auth()
                .oauth2(TestTokens.user("cors"))
                .get("/api/v1/uploads")
                .then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Expose-Headers", containsString("ETag"));
    }

    @Test
    void errorsNeverLeakInternals() {
        String body = given().auth()
                .oauth2(TestTokens.user("leak"))
                .get("/api/v1/uploads/upload_20260101_bbbbbbbbbbbb")
                .then()
                .statusCode(404)
                .extract()
                .asString();
        assertFalse(
                body.contains("target/test-storage") || body.contains("Exception") || body.contains("at io."), body);
        given().get("/q/openapi").then().statusCode(200).body(not(containsString("signing-key")));
    }
}
