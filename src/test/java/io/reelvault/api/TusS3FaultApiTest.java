package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Tus.created;
import static io.reelvault.support.Tus.head;
import static io.reelvault.support.Tus.metadata;
import static io.reelvault.support.Tus.patch;
import static io.reelvault.support.Tus.slice;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3FaultProfile;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.S3FaultProxyResource;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * tus on S3 when a write of the upload's bookkeeping fails half-way (a fault-injecting proxy in front of s3proxy): a
 * PATCH records its bytes as two objects, the tail and then the progress naming it; when the second write fails (or
 * the replica dies between the two), the progress before the PATCH must still describe stored bytes, so that the
 * client's retry from the offset HEAD answers continues the upload.
 */
@QuarkusTest
@TestProfile(S3FaultProfile.class)
class TusS3FaultApiTest {
    static S3FaultProxy proxy() {
        return S3FaultProxyResource.proxy();
    }

    @AfterEach
    void passEverythingAgain() {
        proxy().clear();
    }

    @Test
    void aTailStoredWhoseProgressWasNotLeavesTheUploadAsBeforeThePatch() {
        String token = TestTokens.user("tus-s3-fault");
        byte[] png = Samples.png(3_000);
        String url = created(token, (long) png.length, metadata("filename", "a.png", "filetype", "image/png"));
        String id = url.substring(url.lastIndexOf('/') + 1);
        patch(token, url, 0, slice(png, 0, 1_000)).statusCode(204).header("Upload-Offset", "1000");

        Predicate<S3FaultProxy.Request> progressPut =
                r -> r.method().equals("PUT") && r.target().contains(id + "/progress");
        proxy().answer(progressPut, -1, 500, "InternalError");
        problem(patch(token, url, 1_000, slice(png, 1_000, 2_000)), 503, "storage_unavailable");
        proxy().clear();

        head(token, url).statusCode(200).header("Upload-Offset", "1000");
        String resource = patch(token, url, 1_000, slice(png, 1_000, png.length))
                .statusCode(204)
                .header("Upload-Offset", Integer.toString(png.length))
                .extract()
                .header("Reelvault-Resource");
        given().auth().oauth2(token).get(resource).then().statusCode(200).body("sha256", equalTo(Samples.sha256(png)));
    }
}
