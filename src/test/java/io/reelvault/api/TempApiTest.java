package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Temp files of processing jobs on the local backend; {@code TempApiS3Test} runs it again on S3. */
@QuarkusTest
@OpenApiContract.Checked
class TempApiTest {

    @Inject
    ObjectStore store;

    boolean anyObjectUnder(String prefix) {
        return !store.list(new KeyPrefix(prefix), Optional.empty())
                .select()
                .first()
                .collect()
                .asList()
                .await()
                .atMost(Duration.ofSeconds(10))
                .isEmpty();
    }

    @Test
    void tempFilesStreamInAndHandOutThirtyMinuteUrls() throws Exception {
        String job = freshUser("job");
        byte[] pass = Samples.mp4(120_000);
        byte[] scratch = "anything at all\u0000\u0001".getBytes();
        put("/api/v1/temp/" + job + "/render_pass_1.mp4", "video/mp4", pass)
                .statusCode(200)
                .body("key", equalTo("temp/" + job + "/processing/render_pass_1.mp4"))
                .body("size_bytes", equalTo(pass.length))
                .body("sha256", equalTo(Samples.sha256(pass)))
                .body("expires_at", not(nullValue()));
        put("/api/v1/temp/" + job + "/intermediate_a-1.mp4", "video/mp4", Samples.mp4(1000))
                .statusCode(200);
        put("/api/v1/temp/" + job + "/state.tmp", "application/octet-stream", scratch)
                .statusCode(200);

        String url = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/temp/" + job + "/render_pass_1.mp4/url")
                .then()
                .statusCode(200)
                .body("method", equalTo("GET"))
                .body("expires_in", lessThanOrEqualTo(1800))
                .body("expires_in", greaterThan(1700))
                .extract()
                .path("url");
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(pass, r.body());

        given().auth().oauth2(PIPELINE).delete("/api/v1/temp/" + job).then().statusCode(204);
        assertFalse(anyObjectUnder("temp/" + job + "/"));
        problem(
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/temp/" + job + "/state.tmp/url")
                        .then(),
                404,
                "not_found");
        given().auth().oauth2(PIPELINE).delete("/api/v1/temp/" + job).then().statusCode(204);
    }

    @Test
    void namesJobsAndContentAreChecked() {
        String job = freshUser("job");
        for (String name : new String[] {
            "final.mp4", "intermediate_.mp4", ".tmp", "x.exe", "intermediate_a.b.mp4", "a%2F..%2Fb.tmp"
        }) {
            problem(put("/api/v1/temp/" + job + "/" + name, "video/mp4", Samples.mp4(100)), 400, "invalid_filename");
        }
        problem(put("/api/v1/temp/bad.job/a.tmp", "application/octet-stream", new byte[10]), 400, "invalid_id");
        problem(
                put("/api/v1/temp/" + job + "/intermediate_1.mp4", "video/mp4", Samples.png(1000)),
                415,
                "unsupported_media_type");
        problem(
                put("/api/v1/temp/" + job + "/intermediate_1.mp4", "application/octet-stream", Samples.mp4(1000)),
                415,
                "unsupported_media_type");
        assertFalse(anyObjectUnder("temp/" + job + "/"), "nothing of a refused file is stored");
        problem(
                given().auth()
                        .oauth2(TestTokens.user("mallory"))
                        .contentType("application/octet-stream")
                        .body(new byte[1])
                        .put("/api/v1/temp/" + job + "/a.tmp")
                        .then(),
                403,
                "forbidden");
    }
}
