package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import org.junit.jupiter.api.Test;

/** Health, metrics and CORS: what operators and browsers meet. */
@QuarkusTest
class OperationsApiTest {

    /** What the readiness check names as the backend. */
    String backend() {
        return "local filesystem";
    }

    @Test
    void livenessAndReadinessIncludeTheStorageProbe() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("storage"))
                .body("checks.find { it.name == 'storage' }.data.backend", equalTo(backend()));
    }

    @Test
    void storageMetricsUsePrometheusNamesAndNoIds() {
        String token = TestTokens.user("metered");
        String id = UploadsApiTest.uploadRaw(token, "m.png", "image/png", Samples.png(4096)).statusCode(201)
                .extract().path("upload_id");
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(200);
        given().auth().oauth2(token).get("/api/v1/uploads/upload_20260101_aaaaaaaaaaaa").then().statusCode(404);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("reelvault_storage_requests_total{operation=\"put\",outcome=\"success\"}"), metrics);
        assertTrue(metrics.contains("reelvault_storage_requests_total{operation=\"get\",outcome=\"not_found\"}"));
        assertTrue(metrics.contains("reelvault_storage_transfer_bytes_total{direction=\"in\"}"));
        assertTrue(metrics.contains("reelvault_storage_transfer_bytes_total{direction=\"out\"}"));
        assertTrue(metrics.contains("reelvault_storage_request_duration_seconds_count{operation=\"put\"}"));
        assertFalse(metrics.contains(id), "no id in any label");
        assertFalse(metrics.contains("metered"), "no user in any label");
        assertTrue(metrics.contains("uri=\"/api/v1/uploads/{uploadId}\""), "HTTP metrics use the route template");
    }

    @Test
    void corsAllowsTheConfiguredOriginOnly() {
        given().header("Origin", "http://localhost:5173").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/api/v1/uploads").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Allow-Methods", containsString("POST"));
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/api/v1/uploads").then()
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "http://localhost:5173").auth().oauth2(TestTokens.user("cors"))
                .get("/api/v1/uploads").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Expose-Headers", containsString("ETag"));
    }

    @Test
    void errorsNeverLeakInternals() {
        String body = given().auth().oauth2(TestTokens.user("leak")).get("/api/v1/uploads/upload_20260101_bbbbbbbbbbbb")
                .then().statusCode(404).extract().asString();
        assertFalse(body.contains("target/test-storage") || body.contains("Exception") || body.contains("at io."), body);
        given().get("/q/openapi").then().statusCode(200).body(not(containsString("signing-key")));
    }
}
