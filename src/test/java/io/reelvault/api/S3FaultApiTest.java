package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.Management;
import io.reelvault.support.MetricsText;
import io.reelvault.support.Poll;
import io.reelvault.support.S3Profile;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.reelvault.support.Users;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * S3 down: readiness DOWN and coded 503s, and what the alert rules read (readiness gauge, storage errors, HTTP
 * 5xx) shows it; S3 back: the service recovers without a restart.
 */
@QuarkusTest
@TestProfile(S3Profile.class)
class S3FaultApiTest {

    @Test
    void s3DownThenBack() throws Exception {
        String token = TestTokens.user(Users.freshUser("fault"));
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        MetricsText before = MetricsText.scrape();
        double storageErrors = storageErrors(before);
        S3ProxyResource.server().stop();
        try {
            // a readiness answer is reused for a second (one storage probe per second at most): poll
            Poll.until(
                    Duration.ofSeconds(10),
                    "readiness DOWN",
                    () -> Management.given().get("/q/health/ready").statusCode() == 503);
            Management.given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            given().auth()
                    .oauth2(token)
                    .get("/api/v1/uploads")
                    .then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .body("code", equalTo("storage_unavailable"))
                    .header("Retry-After", "5");
            Uploads.uploadRaw(token, "a.png", "image/png", Samples.png(1000))
                    .statusCode(503)
                    .body("code", equalTo("storage_unavailable"));
            MetricsText down = MetricsText.scrape();
            assertEquals(0.0, down.first("reelvault_ready"), "reelvault_ready follows the verdict");
            assertTrue(storageErrors(down) > storageErrors, "backend failures count as outcome=error");
            // counted now, not merely present (an earlier test of this profile may have left the series)
            assertEquals(
                    1.0,
                    down.delta(
                            before,
                            "http_server_requests_seconds_count",
                            "method",
                            "POST",
                            "uri",
                            "/api/v1/uploads",
                            "status",
                            "503",
                            "outcome",
                            "SERVER_ERROR"),
                    "the refused upload, 5xx by route");
            assertEquals(
                    1.0,
                    down.delta(
                            before,
                            "http_server_requests_seconds_count",
                            "method",
                            "GET",
                            "uri",
                            "/api/v1/uploads",
                            "status",
                            "503",
                            "outcome",
                            "SERVER_ERROR"),
                    "the refused listing, 5xx by route");
        } finally {
            S3ProxyResource.server().start();
        }
        Poll.until(
                Duration.ofSeconds(10),
                "readiness UP",
                () -> Management.given().get("/q/health/ready").statusCode() == 200);
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        Uploads.uploadRaw(token, "a.png", "image/png", Samples.png(1000)).statusCode(201);
        assertEquals(1.0, MetricsText.scrape().first("reelvault_ready"));
    }

    /** Sum of reelvault_storage_requests_total{outcome="error"} over operations. */
    static double storageErrors(MetricsText metrics) {
        return metrics.samples().stream()
                .filter(s -> s.name().equals("reelvault_storage_requests_total")
                        && "error".equals(s.labels().get("outcome")))
                .mapToDouble(s -> Double.parseDouble(s.value()))
                .sum();
    }
}
