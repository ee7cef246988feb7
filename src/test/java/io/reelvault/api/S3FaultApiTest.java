package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import org.junit.jupiter.api.Test;

/** S3 down: readiness DOWN and coded 503s; S3 back: the service recovers without a restart. */
@QuarkusTest
@TestProfile(S3Profile.class)
class S3FaultApiTest {

    @Test
    void s3DownThenBack() throws Exception {
        String token = TestTokens.user(UploadsApiTest.freshUser("fault"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        S3ProxyResource.server().stop();
        try {
            given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            given().auth().oauth2(token).get("/api/v1/uploads").then().statusCode(503)
                    .contentType("application/problem+json").body("code", equalTo("storage_unavailable"))
                    .header("Retry-After", "5");
            UploadsApiTest.uploadRaw(token, "a.png", "image/png", Samples.png(1000)).statusCode(503)
                    .body("code", equalTo("storage_unavailable"));
        } finally {
            S3ProxyResource.server().start();
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        UploadsApiTest.uploadRaw(token, "a.png", "image/png", Samples.png(1000)).statusCode(201);
    }
}
