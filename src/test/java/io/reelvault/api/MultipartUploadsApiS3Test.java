package io.reelvault.api;

import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3ProxyResource;
import io.reelvault.support.TestTokens;
import io.reelvault.support.browser.BrowserS3Profile;
import java.io.IOException;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every direct multipart upload test again, on the S3 backend: parts PUT to s3proxy with presigned UploadPart URLs. */
@QuarkusTest
@TestProfile(BrowserS3Profile.class)
class MultipartUploadsApiS3Test extends MultipartUploadsApiTest {
    @Override
    long inProgress(String user) {
        return S3ProxyResource.uploadsInProgress("uploads/" + user + "/");
    }

    @Override
    boolean localBackend() {
        return false;
    }

    /**
     * s3proxy answers 403 and closes the connection while a 5 MiB part is still being sent: the client often sees the
     * broken connection before it reads the answer. The callers then check that nothing was stored.
     */
    @Override
    int statusOfARefusedPut(String url, Map<String, String> headers, byte[] body) throws IOException {
        try {
            return super.statusOfARefusedPut(url, headers, body);
        } catch (SocketException refusedMidBody) {
            return 403;
        }
    }

    /**
     * s3proxy stores a part of an aborted upload (AWS answers 404 NoSuchUpload); the caller checks that no upload is in
     * progress afterwards and that completion is 404.
     */
    @Override
    int statusOfAPartAfterAbort() {
        return 200;
    }

    @Test
    void partUrlsArePresignedUploadPartsThatSignTheirLength() {
        String token = TestTokens.user(freshUser("mpsigv4"));
        String id = start(token, "a.png", "image/png", SIZE)
                .statusCode(201)
                .extract()
                .path("upload_id");
        String url = sign(token, id, List.of(2)).statusCode(200).extract().path("parts[0].url");
        assertTrue(url.contains("partNumber=2"), url);
        assertTrue(url.contains("X-Amz-Signature="), url);
        assertTrue(url.matches(".*X-Amz-SignedHeaders=[^&]*content-length.*"), "Content-Length is signed: " + url);
        given().auth()
                .oauth2(token)
                .delete("/api/v1/uploads/" + id + "/multipart")
                .then()
                .statusCode(204);
    }
}
