package io.reelvault.api;

import static io.reelvault.support.Problems.assertRateLimited;
import static io.reelvault.support.Uploads.upload;
import static io.reelvault.support.Uploads.url;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.MetricsText;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Problems;
import io.reelvault.support.RateLimitProfile;
import io.reelvault.support.TestTokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Per-caller rate limits through the API, with in-process buckets; {@code RateLimitApiRedisTest} runs the same
 * tests with the buckets on Redis. Limits: {@link RateLimitProfile}.
 */
@QuarkusTest
@OpenApiContract.Checked
@TestProfile(RateLimitProfile.class)
class RateLimitApiTest {
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void theFourthUrlOfAUserIsRefusedWithRetryAfterAndOtherUsersAreNotAffected() {
        String alice = TestTokens.user(freshUser("alice"));
        String id = upload(alice);
        for (int i = 0; i < RateLimitProfile.USER_URLS; i++) {
            url(alice, id).statusCode(200).body("method", equalTo("GET"));
        }
        assertRateLimited(url(alice, id), 60); // one a minute: the next in at most 60 s
        assertRateLimited(url(alice, id), 60);
        given().auth().oauth2(alice).get("/api/v1/uploads/" + id).then().statusCode(200); // metadata: not limited

        String bob = TestTokens.user(freshUser("bob"));
        String bobs = upload(bob);
        url(bob, bobs).statusCode(200);
    }

    @Test
    void presignSharesTheUrlBucket() {
        String carol = TestTokens.user(freshUser("carol"));
        String id = upload(carol);
        url(carol, id).statusCode(200);
        url(carol, id).statusCode(200);
        given().auth()
                .oauth2(carol)
                .contentType("application/json")
                .body("{\"filename\":\"b.png\",\"content_type\":\"image/png\",\"size_bytes\":1000}")
                .post("/api/v1/uploads/presign")
                .then()
                .statusCode(201);
        assertRateLimited(
                given().auth()
                        .oauth2(carol)
                        .contentType("application/json")
                        .body("{\"filename\":\"b.png\",\"content_type\":\"image/png\",\"size_bytes\":1000}")
                        .post("/api/v1/uploads/presign")
                        .then(),
                60);
    }

    @Test
    void listingsHaveABucketOfTheirOwn() {
        String gail = TestTokens.user(freshUser("gail"));
        String id = upload(gail);
        for (int i = 0; i < RateLimitProfile.USER_LISTS; i++) {
            given().auth()
                    .oauth2(gail)
                    .queryParam("limit", 1000)
                    .get("/api/v1/uploads")
                    .then()
                    .statusCode(200);
        }
        assertRateLimited(
                given().auth()
                        .oauth2(gail)
                        .queryParam("limit", 1000)
                        .get("/api/v1/uploads")
                        .then(),
                60);
        Problems.problem(given().auth().oauth2(gail).get("/api/v1/uploads").then(), 429, "rate_limited")
                .body("detail", containsString("listings"));
        // the other buckets are untouched, and so are other users
        url(gail, id).statusCode(200);
        given().auth().oauth2(gail).get("/api/v1/uploads/" + id).then().statusCode(200);
        given().auth()
                .oauth2(TestTokens.user(freshUser("hugo")))
                .get("/api/v1/uploads")
                .then()
                .statusCode(200);
    }

    @Test
    void everyListingDrawsOnTheSameBucket() {
        assertEquals(3, RateLimitProfile.PIPELINE_LISTS, "one listing of each kind empties the bucket");
        String worker = TestTokens.pipeline(freshUser("lister"));
        given().auth()
                .oauth2(worker)
                .queryParam("limit", 1000)
                .get("/api/v1/uploads")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(worker)
                .queryParam("limit", 1000)
                .get("/api/v1/generations")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(worker)
                .queryParam("limit", 1000)
                .get("/api/v1/compositions")
                .then()
                .statusCode(200);
        assertRateLimited(
                given().auth().oauth2(worker).get("/api/v1/generations").then(), 60);
        assertRateLimited(
                given().auth().oauth2(worker).get("/api/v1/compositions").then(), 60);
        assertRateLimited(given().auth().oauth2(worker).get("/api/v1/uploads").then(), 60);
    }

    @Test
    void aPipelineCallerHasItsOwnHigherLimit() {
        String sub = freshUser("worker");
        String pipeline = TestTokens.pipeline(sub);
        String job = freshUser("job");
        for (int i = 0; i < RateLimitProfile.PIPELINE_URLS; i++) {
            given().auth()
                    .oauth2(pipeline)
                    .get("/api/v1/temp/" + job + "/state.tmp/url")
                    .then()
                    .statusCode(not(429));
        }
        assertRateLimited(
                given().auth()
                        .oauth2(pipeline)
                        .get("/api/v1/temp/" + job + "/state.tmp/url")
                        .then(),
                60);
        // the same subject without the pipeline group is a user, with the user's bucket
        String asUser = TestTokens.user(sub);
        String id = upload(asUser);
        url(asUser, id).statusCode(200);
    }

    @Test
    void refusedCallsOfOtherKindsDoNotSpendTheBucket() {
        String dave = TestTokens.user(freshUser("dave"));
        for (int i = 0; i < 2 * RateLimitProfile.USER_URLS; i++) { // a user on a pipeline endpoint: forbidden first
            Problems.problem(
                    given().auth()
                            .oauth2(dave)
                            .get("/api/v1/temp/job-1/state.tmp/url")
                            .then(),
                    403,
                    "forbidden");
        }
        Problems.problem(
                given().get("/api/v1/uploads/upload_20260101_abcdefghijkl/url").then(), 401, "unauthenticated");
        String id = upload(dave);
        url(dave, id).statusCode(200);
    }

    @Test
    void aRefusedUploadIsAnsweredBeforeItsBodyIsSent() throws IOException {
        String token = TestTokens.user(freshUser("erin"));
        for (int i = 0; i < RateLimitProfile.USER_UPLOADS; i++) {
            upload(token);
        }
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/uploads?filename=big.png HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                            + token
                            + "\r\nContent-Type: image/png\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 429"), "429 at once, no 100 Continue: " + head);
            assertTrue(head.toLowerCase().contains("retry-after:"), head);
            assertFalse(head.contains("100 Continue"), head);
        }
    }

    /** Every class and result is registered at start-up: the test counts what its own calls added. */
    @Test
    void decisionsAreCountedWithoutUserLabels() {
        String frank = freshUser("frank");
        String token = TestTokens.user(frank);
        MetricsText before = MetricsText.scrape();
        String id = upload(token);
        for (int i = 0; i <= RateLimitProfile.USER_URLS; i++) {
            url(token, id);
        }
        for (int i = 0; i <= RateLimitProfile.USER_LISTS; i++) {
            given().auth().oauth2(token).get("/api/v1/uploads");
        }
        MetricsText after = MetricsText.scrape();
        String decisions = "reelvault_rate_limit_decisions_total";
        assertEquals(1.0, after.delta(before, decisions, "class", "upload", "result", "allowed"), "the upload");
        assertEquals(
                RateLimitProfile.USER_URLS,
                after.delta(before, decisions, "class", "url", "result", "allowed"),
                "URLs within the bucket");
        assertEquals(1.0, after.delta(before, decisions, "class", "url", "result", "limited"), "the URL past it");
        assertEquals(RateLimitProfile.USER_LISTS, after.delta(before, decisions, "class", "list", "result", "allowed"));
        assertEquals(
                1.0,
                after.delta(before, decisions, "class", "list", "result", "limited"),
                "the listing past the bucket");
        assertEquals(
                0.0, after.delta(before, decisions, "result", "error"), "Redis (where configured) answered every call");
        assertFalse(after.text().contains(frank), "never a user id");
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }
}
