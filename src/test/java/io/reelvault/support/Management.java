package io.reelvault.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The management interface of the running test application: {@code /q/health/*} and {@code /q/metrics} answer there
 * only (application.properties: {@code quarkus.management.enabled}). Its port is {@code quarkus.management.test-port}:
 * a free one chosen at start (0 in the test profile), which Quarkus then writes back into the configuration.
 */
public final class Management {
    private Management() {}

    /** The management interface's port. */
    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** A RestAssured request to the management interface, e.g. {@code Management.given().get("/q/metrics")}. */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }

    /** The count of {@code GET /storage/{key}} requests answered {@code status} so far (other tests' included). */
    public static double storageRequests(String status) {
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_count{")
                        && l.contains("method=\"GET\"")
                        && l.contains("uri=\"/storage/{key}\"")
                        && l.contains("status=\"" + status + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
