package io.reelvault.api;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.Samples;
import io.reelvault.support.SettingsVariantsProfile;
import io.reelvault.support.SignedUrlForms;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.reelvault.support.Users;
import io.restassured.RestAssured;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A service whose signing key was rotated: key 2 signs, key 1 (the test profile's usual key) still verifies; a key
 * it does not hold, or a URL that names one key but was signed with another, is 403 {@code signature_invalid}.
 */
@QuarkusTest
@TestProfile(SettingsVariantsProfile.class)
class SigningKeyRotationApiTest {
    static final String NEW_KEY = SettingsVariantsProfile.ROTATED_SIGNING_KEY;

    @Test
    void urlsOfThePreviousKeyStillVerifyAndUnknownKeysDoNot() throws Exception {
        byte[] png = Samples.png(3000);
        String token = TestTokens.user(Users.freshUser("rotation"));
        var created = Uploads.uploadRaw(token, "logo.png", "image/png", png)
                .statusCode(201)
                .extract();
        String key = created.path("key");
        String url = RestAssured.given()
                .auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + created.path("upload_id") + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url");
        assertTrue(url.contains("&X-Key-Id=2&"), "new URLs name the current key: " + url);
        SignedUrlForms.get(url).statusCode(200);

        String base = "http://localhost:" + RestAssured.port;
        long expires = Instant.now().plusSeconds(600).getEpochSecond();
        // signed before the rotation, by key 1, now a previous key
        SignedUrlForms.get(SignedUrlForms.url(
                        base, SignedUrlForms.TEST_KEY, "GET", key, SignedUrlForms.baseParams("1", expires)))
                .statusCode(200);
        // a key id this service does not hold (removed, or never configured)
        forbidden(SignedUrlForms.url(
                base,
                "removed-signing-key-0123456789abcdef-not-secret",
                "GET",
                key,
                SignedUrlForms.baseParams("0", expires)));
        // the right id with another key, and a URL of key 1 relabelled as key 2
        forbidden(SignedUrlForms.url(base, NEW_KEY, "GET", key, SignedUrlForms.baseParams("1", expires)));
        forbidden(SignedUrlForms.url(base, SignedUrlForms.TEST_KEY, "GET", key, SignedUrlForms.baseParams("1", expires))
                .replace("X-Key-Id=1", "X-Key-Id=2"));

        // a direct upload under the new key
        var presigned = Uploads.presign(token, "direct.png", "image/png", png.length);
        String putUrl = presigned.path("upload_url");
        assertTrue(putUrl.contains("&X-Key-Id=2&"), putUrl);
        assertEquals(200, Uploads.putTo(putUrl, "image/png", png).statusCode());
    }

    private static void forbidden(String url) {
        SignedUrlForms.get(url)
                .statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("signature_invalid"));
    }
}
