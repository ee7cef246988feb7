package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Tus.clipMetadata;
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

    /**
     * A PATCH whose bytes end on a part boundary before the upload's length sends that last part too and stores no
     * tail object (nothing to put back in front of the next PATCH); the publication, whose digest was computed as the
     * bytes arrived, reads no more of the assembled object than its first bytes (a ranged GET, for the type check and
     * the length) before the bucket copies it into place.
     */
    @Test
    void aChunkEndingOnAPartBoundaryLeavesNoTailAndThePublicationReadsOnlyTheHead() {
        int part = (int) org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("reelvault.storage.s3.part-size", io.quarkus.runtime.configuration.MemorySize.class)
                .asLongValue();
        String generation = io.reelvault.support.Generations.create("tus boundary " + System.nanoTime());
        byte[] clip = Samples.mp4(2 * part + 3_000); // a pipeline artifact: over the user uploads' test limit
        String token = io.reelvault.support.Generations.PIPELINE;
        String url = created(token, (long) clip.length, clipMetadata(generation, 1));
        String id = url.substring(url.lastIndexOf('/') + 1);
        Predicate<S3FaultProxy.Request> ofUpload = r -> r.target().contains(id + "/");
        Predicate<S3FaultProxy.Request> tailPut =
                r -> r.method().equals("PUT") && r.target().contains(id + "/tail");
        Predicate<S3FaultProxy.Request> partPut = r -> ofUpload.test(r) && r.hasQueryParameter("partNumber", null);

        patch(token, url, 0, slice(clip, 0, 2 * part)).statusCode(204).header("Upload-Offset", "" + 2 * part);
        org.junit.jupiter.api.Assertions.assertEquals(0, proxy().count(tailPut, "pass"), "no tail object stored");
        org.junit.jupiter.api.Assertions.assertEquals(2, proxy().count(partPut, "pass"), "both parts sent");
        head(token, url).statusCode(200).header("Upload-Offset", "" + 2 * part);

        patch(token, url, 2 * part, slice(clip, 2 * part, clip.length))
                .statusCode(204)
                .header("Upload-Offset", Integer.toString(clip.length));
        given().auth()
                .oauth2(token)
                .get("/api/v1/generations/" + generation)
                .then()
                .statusCode(200)
                .body("clips.find { it.clip == 1 }.sha256", equalTo(Samples.sha256(clip)));
        Predicate<S3FaultProxy.Request> dataGet =
                r -> r.method().equals("GET") && r.target().contains(id + "/data");
        org.junit.jupiter.api.Assertions.assertTrue(proxy().count(dataGet, "pass") > 0, "the head was read");
        org.junit.jupiter.api.Assertions.assertEquals(
                0,
                proxy().count(dataGet.and(r -> !r.headers().containsKey("range")), "pass"),
                "the assembled object was not read whole");
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
