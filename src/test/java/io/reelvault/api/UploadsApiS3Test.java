package io.reelvault.api;

import static io.reelvault.support.Uploads.uploadRaw;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.model.KeyPrefix;
import io.reelvault.support.S3Profile;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every uploads API test again, on the S3 backend (s3proxy over HTTP, SigV4 checked). */
@QuarkusTest
@TestProfile(S3Profile.class)
class UploadsApiS3Test extends UploadsApiTest {

    @Override
    void assertNoPartialWrites() {
        assertEquals(0, S3ProxyResource.uploadsInProgress(), "no multipart upload left in progress");
    }

    @Override
    int statusOfAReusedPut() {
        return 412; // S3's own answer to If-None-Match: * on an existing key
    }

    @Override
    int statusOfAPutAfterCompletion() {
        return 412;
    }

    @Override
    boolean anythingLeftUnder(String prefix) {
        return !store.list(new KeyPrefix(prefix), Optional.empty())
                .select()
                .where(o -> !(o.size() == 0 && o.key().fileName().startsWith("original.")))
                .collect()
                .asList()
                .await()
                .atMost(Duration.ofSeconds(10))
                .isEmpty();
    }

    @Test
    void signedUrlsArePresignedByS3() throws Exception {
        byte[] png = Samples.png(50_000);
        String token = TestTokens.user(freshUser("presigned"));
        String id = uploadRaw(token, "a.png", "image/png", png)
                .statusCode(201)
                .extract()
                .path("upload_id");
        String url = given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200)
                .body("expires_in", equalTo(3600))
                .body("method", equalTo("GET"))
                .body("url", containsString("X-Amz-Signature="))
                .body("url", containsString(S3ProxyResource.BUCKET))
                .extract()
                .path("url");
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(png, r.body());
    }
}
