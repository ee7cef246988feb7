package io.reelvault.storage.local;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrls;
import io.reelvault.storage.SignedUrls.SignedUrl;
import io.reelvault.storage.SignedUrlsContract;
import io.reelvault.support.TestTokens;
import io.restassured.RestAssured;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The signed-URL contract on the local backend: URLs signed by {@link LocalUrlSigner}, served by the running service's
 * own {@code /storage} route (which checks them). Its PUT URLs store only an upload the service waits for, so a PUT
 * target is asked of the service ({@code POST /api/v1/uploads/presign}). Plus the URL's shape; the form's details
 * (canonical query, key rotation, closed parameter set) are {@link LocalUrlSignerTest}'s.
 */
@QuarkusTest
class LocalSignedUrlsContractTest extends SignedUrlsContract {
    @Inject
    ObjectStore store;

    @Inject
    ReelvaultConfig config;

    @Override
    protected SignedUrls signer() {
        return store.capability(SignedUrls.class).orElseThrow();
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected String secret() {
        return config.storage().local().signingKey().orElseThrow();
    }

    @Override
    protected String signatureParameter() {
        return LocalUrlSigner.SIGNATURE;
    }

    @Override
    protected String expiryParameter() {
        return LocalUrlSigner.EXPIRES;
    }

    @Override
    protected PutTarget putTarget(String contentType, long length) {
        String user = "contract-" + Long.toString(System.nanoTime(), 36);
        ExtractableResponse<Response> presigned = given().auth()
                .oauth2(TestTokens.user(user))
                .contentType("application/json")
                .body(Map.of("filename", "logo.png", "content_type", contentType, "size_bytes", length))
                .post("/api/v1/uploads/presign")
                .then()
                .statusCode(201)
                .extract();
        URI url = URI.create(presigned.path("upload_url"));
        ObjectKey key = ObjectKey.parse(url.getRawPath().substring("/storage/".length()));
        int expiresIn = presigned.path("expires_in");
        Map<String, String> headers = presigned.path("headers");
        return new PutTarget(key, new SignedUrl(url, Duration.ofSeconds(expiresIn), headers));
    }

    @Test
    void aGetUrlIsTheServicesStorageRouteWithItsExpiryAndKeyId() {
        ObjectKey key = ObjectKey.parse("temp/signed/shape.bin");
        long now = Instant.now().getEpochSecond();
        URI url = signer().sign("GET", key, Duration.ofMinutes(5), Map.of()).url();
        assertEquals("localhost:" + RestAssured.port, url.getAuthority(), "the service's public base URL");
        assertEquals("/storage/" + key.value(), url.getRawPath());
        assertEquals(
                Set.of("X-Algorithm", "X-Expires", "X-Key-Id", "X-Signature"),
                LocalUrlSignerTest.query(url).keySet());
        assertEquals(LocalUrlSigner.ALGORITHM, LocalUrlSignerTest.query(url).get("X-Algorithm"));
        assertEquals(
                config.storage().local().signingKeyId(),
                LocalUrlSignerTest.query(url).get("X-Key-Id"));
        long expires = Long.parseLong(LocalUrlSignerTest.query(url).get("X-Expires"));
        assertTrue(Math.abs(expires - (now + 300)) <= 2, "expires 5 minutes from now (epoch seconds): " + expires);
    }

    @Test
    void aPutUrlBindsItsTypeAndLength() {
        PutTarget target = putTarget("image/png", 2000);
        Map<String, String> query = LocalUrlSignerTest.query(target.url().url());
        assertEquals("image/png", query.get("header-content-type"));
        assertEquals("2000", query.get("header-content-length"));
        assertEquals(Map.of("Content-Type", "image/png"), target.url().requiredHeaders());
    }
}
