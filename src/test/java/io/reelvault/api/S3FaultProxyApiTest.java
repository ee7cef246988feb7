package io.reelvault.api;

import static io.reelvault.support.Generations.put;
import static io.reelvault.support.Problems.problem;
import static io.reelvault.support.Uploads.uploadRaw;
import static io.reelvault.support.Users.freshUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.Management;
import io.reelvault.support.Poll;
import io.reelvault.support.S3FaultProfile;
import io.reelvault.support.S3FaultProxy;
import io.reelvault.support.S3FaultProxyResource;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * S3 faults through {@link S3FaultProxy}, seen from the API, with the production default of SSE-S3 (AES256) on every
 * write: throttling ({@code 503 SlowDown}) retried by the SDK, then answered 503 {@code storage_unavailable} with
 * {@code Retry-After} when it persists; a connection reset in the middle of part 3 of a multipart upload, retried (the
 * object intact) or, when every attempt is reset, aborted (no object, no multipart upload); 2 s of latency on every S3
 * call (every request still answers; timings printed as figures); a bucket deleted under the running service and
 * refused credentials, 502 {@code storage_refused} and readiness DOWN; a presigned PUT with the encryption header.
 */
@QuarkusTest
@TestProfile(S3FaultProfile.class)
@Timeout(120)
class S3FaultProxyApiTest {
    static final String BUCKET = S3FaultProxyResource.BUCKET;
    static final Predicate<S3FaultProxy.Request> PART_3 = S3FaultProxy.uploadPart(3);

    static S3FaultProxy proxy() {
        return S3FaultProxyResource.proxy();
    }

    /** A client straight to s3proxy, past the fault proxy. */
    static S3AsyncClient admin() {
        return S3FaultProxyResource.server().client();
    }

    @AfterEach
    void passEverythingAgain() {
        proxy().clear();
    }

    @Test
    void throttlingIsRetriedThenAnswered503WithRetryAfter() {
        String token = TestTokens.user(freshUser("throttled"));
        int before = proxy().seen().size();
        proxy().answer(S3FaultProxy.ANY, 2, 503, "SlowDown");
        long started = System.nanoTime();
        uploadRaw(token, "a.png", "image/png", Samples.png(1000)).statusCode(201);
        long retriedMillis = elapsed(started);
        List<S3FaultProxy.Seen> retried =
                proxy().seen().subList(before, proxy().seen().size());
        assertEquals(
                2,
                retried.stream()
                        .filter(s -> s.action().startsWith("answer 503"))
                        .count(),
                "" + retried);
        assertEquals(
                retried.get(0).request().toString(),
                retried.get(2).request().toString(),
                "the throttled request itself is sent again: " + retried);

        // a body of 1 MiB or more streams from the caller into S3 once: throttled, it is the caller's to send again
        Predicate<S3FaultProxy.Request> putOriginal =
                r -> r.method().equals("PUT") && r.target().contains("/original.png");
        proxy().clear().answer(putOriginal, 1, 503, "SlowDown");
        long putsBefore = proxy().count(putOriginal, "");
        problem(uploadRaw(token, "big.png", "image/png", Samples.png(1_500_000)), 503, "storage_unavailable")
                .header("Retry-After", "5");
        long streamedAttempts = proxy().count(putOriginal, "") - putsBefore;

        proxy().clear().answer(S3FaultProxy.ANY, -1, 503, "SlowDown");
        before = proxy().seen().size();
        started = System.nanoTime();
        problem(uploadRaw(token, "b.png", "image/png", Samples.png(1000)), 503, "storage_unavailable")
                .header("Retry-After", "5");
        long persistentMillis = elapsed(started);
        List<S3FaultProxy.Seen> persistent =
                proxy().seen().subList(before, proxy().seen().size());
        String first = persistent.get(0).request().toString();
        long attempts = persistent.stream()
                .filter(x -> x.request().toString().equals(first))
                .count();
        problem(given().auth().oauth2(token).get("/api/v1/uploads").then(), 503, "storage_unavailable")
                .header("Retry-After", "5");
        System.out.printf(
                "S3 fault figures: SlowDown x2 then success: upload 201 after %d ms (%d S3 requests: %s); "
                        + "a 1.5 MB upload throttled once: 503 after %d S3 request(s); "
                        + "persistent SlowDown: upload 503 after %d ms, %d attempts of its first S3 call (%d S3 requests in all)%n",
                retriedMillis,
                retried.size(),
                retried.stream().map(S3FaultProxy.Seen::action).toList(),
                streamedAttempts,
                persistentMillis,
                attempts,
                persistent.size());
        assertEquals(1, streamedAttempts, "a body streamed once is not sent again");
        assertTrue(attempts > 1, "the SDK retried before giving up: " + attempts);
    }

    @Test
    void aResetInTheMiddleOfPart3IsRetriedAndTheObjectIsIntact() throws Exception {
        String job = freshUser("reset");
        byte[] body = random(16 * 1024 * 1024, 3); // 5 + 5 + 5 + 1 MiB parts
        proxy().resetMidBody(PART_3, 1);
        long part3Before = proxy().count(PART_3, "");
        String key = put("/api/v1/temp/" + job + "/state.tmp", "application/octet-stream", body)
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(body)))
                .body("size_bytes", equalTo(body.length))
                .extract()
                .path("key");
        assertEquals(1, proxy().count(PART_3, "reset"), "part 3 was cut once: " + proxy().seen());
        long part3Requests = proxy().count(PART_3, "") - part3Before;
        assertTrue(part3Requests >= 2, "part 3 was sent again: " + part3Requests);
        try (S3AsyncClient s3 = admin()) {
            byte[] stored = s3.getObject(b -> b.bucket(BUCKET).key(key), AsyncResponseTransformer.toBytes())
                    .join()
                    .asByteArray();
            assertEquals(Samples.sha256(body), Samples.sha256(stored), "the stored object is the body, byte for byte");
            assertEquals(
                    0,
                    s3.listMultipartUploads(b -> b.bucket(BUCKET))
                            .join()
                            .uploads()
                            .size(),
                    "no multipart upload left");
        }
        System.out.printf(
                "S3 fault figures: reset in part 3 once: 200, part 3 sent %d times, sha256 equal%n", part3Requests);
    }

    @Test
    void aResetInEveryAttemptOfPart3AbortsTheUpload() throws Exception {
        String job = freshUser("reset-all");
        byte[] body = random(16 * 1024 * 1024, 4);
        proxy().resetMidBody(PART_3, -1);
        problem(put("/api/v1/temp/" + job + "/state.tmp", "application/octet-stream", body), 503, "storage_unavailable")
                .header("Retry-After", "5");
        long attempts = proxy().count(PART_3, "reset");
        proxy().clear();
        try (S3AsyncClient s3 = admin()) {
            Poll.until(
                    Duration.ofSeconds(10),
                    "the multipart upload aborted",
                    () -> s3.listMultipartUploads(b -> b.bucket(BUCKET))
                            .join()
                            .uploads()
                            .isEmpty());
            assertEquals(
                    0,
                    s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("temp/" + job + "/"))
                            .join()
                            .keyCount(),
                    "no object");
        }
        System.out.printf(
                "S3 fault figures: part 3 reset on every attempt: 503 after %d attempts, upload aborted%n", attempts);
        assertTrue(attempts > 1, "part 3 was retried before giving up: " + attempts);
    }

    @Test
    void twoSecondsOfLatencyPerCallSlowRequestsButEveryOneAnswers() throws Exception {
        String token = TestTokens.user(freshUser("slow"));
        byte[] png = Samples.png(50_000);
        proxy().latency(Duration.ofSeconds(2));
        Map<String, String> figures = new LinkedHashMap<>();
        int calls = proxy().seen().size();
        long t = System.nanoTime();
        String id = uploadRaw(token, "a.png", "image/png", png)
                .statusCode(201)
                .extract()
                .path("upload_id");
        calls = figure(figures, "upload 50 kB", t, calls);
        t = System.nanoTime();
        given().auth().oauth2(token).get("/api/v1/uploads/" + id).then().statusCode(200);
        calls = figure(figures, "metadata", t, calls);
        t = System.nanoTime();
        int ready = Management.given().get("/q/health/ready").statusCode();
        figure(figures, "readiness (" + ready + ")", t, calls);
        System.out.println("S3 fault figures: 2 s latency per S3 call, per request: " + figures);
    }

    /** Records a request's time and how many S3 calls it made; answers the count of S3 calls so far. */
    static int figure(Map<String, String> figures, String what, long startNanos, int callsBefore) {
        int now = proxy().seen().size();
        figures.put(what, elapsed(startNanos) + " ms, " + (now - callsBefore) + " S3 calls");
        return now;
    }

    @Test
    void aBucketDeletedUnderTheServiceIs502AndReadinessDown() throws Exception {
        String token = TestTokens.user(freshUser("nobucket"));
        String id = uploadRaw(token, "a.png", "image/png", Samples.png(1000))
                .statusCode(201)
                .extract()
                .path("upload_id");
        try (S3AsyncClient s3 = admin()) {
            deleteBucket(s3);
            try {
                problem(uploadRaw(token, "b.png", "image/png", Samples.png(1000)), 502, "storage_refused");
                problem(given().auth().oauth2(token).get("/api/v1/uploads").then(), 502, "storage_refused");
                problem(
                        given().auth()
                                .oauth2(token)
                                .get("/api/v1/uploads/" + id)
                                .then(),
                        502,
                        "storage_refused");
                problem(
                        given().auth()
                                .oauth2(token)
                                .get("/api/v1/uploads/" + id + "/url")
                                .then(),
                        502,
                        "storage_refused");
                problem(
                        given().auth()
                                .oauth2(token)
                                .contentType("application/json")
                                .body(Map.of("filename", "c.png", "content_type", "image/png", "size_bytes", 1000))
                                .post("/api/v1/uploads/presign")
                                .then(),
                        502,
                        "storage_refused");
                Poll.until(
                        Duration.ofSeconds(10),
                        "readiness DOWN",
                        () -> Management.given().get("/q/health/ready").statusCode() == 503);
                // a HEAD's 404 cannot say which is missing: the bucket is checked once it was last seen 2 s ago or more
                Poll.until(
                        Duration.ofSeconds(10),
                        "a delete answered 502",
                        () -> given().auth()
                                        .oauth2(token)
                                        .delete("/api/v1/uploads/" + id)
                                        .statusCode()
                                == 502);
                problem(
                        given().auth()
                                .oauth2(token)
                                .delete("/api/v1/uploads/" + id)
                                .then(),
                        502,
                        "storage_refused");
            } finally {
                s3.createBucket(b -> b.bucket(BUCKET)).join();
            }
        }
        Poll.until(
                Duration.ofSeconds(10),
                "readiness UP",
                () -> Management.given().get("/q/health/ready").statusCode() == 200);
        uploadRaw(token, "b.png", "image/png", Samples.png(1000)).statusCode(201);
    }

    /** AWS's answer to a revoked or unknown access key; S3StorageRefusedTest has s3proxy's own refusals of wrong keys. */
    @Test
    void refusedCredentialsAre502AndReadinessDown() {
        String token = TestTokens.user(freshUser("denied"));
        proxy().answer(S3FaultProxy.ANY, -1, 403, "InvalidAccessKeyId");
        problem(uploadRaw(token, "a.png", "image/png", Samples.png(1000)), 502, "storage_refused");
        problem(given().auth().oauth2(token).get("/api/v1/uploads").then(), 502, "storage_refused");
        Poll.until(
                Duration.ofSeconds(10),
                "readiness DOWN",
                () -> Management.given().get("/q/health/ready").statusCode() == 503);
        proxy().clear();
        Poll.until(
                Duration.ofSeconds(10),
                "readiness UP",
                () -> Management.given().get("/q/health/ready").statusCode() == 200);
    }

    /** Item 15: the production default, SSE-S3, on a presigned PUT (which must send the signed encryption header). */
    @Test
    void aPresignedUploadWithServerSideEncryption() throws Exception {
        String user = freshUser("sse");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(20_000);
        var presigned = Uploads.presign(token, "logo.png", "image/png", png.length);
        assertEquals(201, presigned.statusCode());
        assertEquals(
                "AES256",
                presigned.<Map<String, String>>path("headers").get("x-amz-server-side-encryption"),
                "the encryption header is one the client must send");
        String id = presigned.path("upload_id");
        Map<String, String> withoutEncryption = new HashMap<>(presigned.<Map<String, String>>path("headers"));
        withoutEncryption.remove("x-amz-server-side-encryption");
        assertEquals(
                403,
                Uploads.putTo(presigned.path("upload_url"), withoutEncryption, png)
                        .statusCode(),
                "the encryption header is signed: leaving it out breaks the signature");
        assertEquals(200, Uploads.putSigned(presigned, png).statusCode());
        given().auth()
                .oauth2(token)
                .post("/api/v1/uploads/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("sha256", equalTo(Samples.sha256(png)));
        String url = given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/" + id + "/url")
                .then()
                .statusCode(200)
                .extract()
                .path("url");
        HttpResponse<byte[]> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(png, r.body());
        try (S3AsyncClient s3 = admin()) {
            var head = s3.headObject(b -> b.bucket(BUCKET).key("uploads/" + user + "/" + id + "/original.png"))
                    .join();
            assertEquals(ServerSideEncryption.AES256, head.serverSideEncryption(), "stored encrypted");
            var metadata = s3.headObject(b -> b.bucket(BUCKET).key("uploads/" + user + "/" + id + "/metadata.json"))
                    .join();
            assertEquals(ServerSideEncryption.AES256, metadata.serverSideEncryption(), "the service's own writes too");
        }
    }

    /**
     * Empties and deletes the bucket. The service may still be writing in the background (usage records, the
     * upload's metadata after its 201), so an object can land between the listing and the delete: the bucket is
     * emptied again until S3 accepts the delete.
     */
    static void deleteBucket(S3AsyncClient s3) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            emptyBucket(s3);
            try {
                s3.deleteBucket(b -> b.bucket(BUCKET)).join();
                return;
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof S3Exception s3e) || s3e.statusCode() != 409) {
                    throw e;
                }
                if (attempt >= 10) {
                    // S3 lists nothing but refuses: s3proxy's store keeps empty directories of removed keys
                    System.out.println(
                            "the bucket stays not empty (" + remaining(s3) + "): deleted in s3proxy's store");
                    S3FaultProxyResource.server().deleteBucketForcibly(BUCKET);
                    return;
                }
                Thread.sleep(50L * attempt); // a write the service finishes in the background lands meanwhile
            }
        }
    }

    /** What a bucket that refuses to be deleted still holds, as S3 lists it. */
    private static String remaining(S3AsyncClient s3) {
        var versions = s3.listObjectVersions(b -> b.bucket(BUCKET)).join();
        return s3.listObjectsV2(b -> b.bucket(BUCKET)).join().keyCount() + " objects, "
                + versions.versions().size() + " versions, "
                + versions.deleteMarkers().size() + " delete markers, "
                + s3.listMultipartUploads(b -> b.bucket(BUCKET))
                        .join()
                        .uploads()
                        .size() + " multipart uploads";
    }

    private static void emptyBucket(S3AsyncClient s3) {
        for (var u : s3.listMultipartUploads(b -> b.bucket(BUCKET)).join().uploads()) {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key(u.key()).uploadId(u.uploadId()))
                    .join();
        }
        List<ObjectIdentifier> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(BUCKET))
                .contents()
                .subscribe(o -> keys.add(ObjectIdentifier.builder().key(o.key()).build()))
                .join();
        // every version and delete marker too: a bucket that ever had versioning keeps them after the deletes above
        s3.listObjectVersionsPaginator(b -> b.bucket(BUCKET))
                .subscribe(page -> {
                    page.versions()
                            .forEach(v -> keys.add(ObjectIdentifier.builder()
                                    .key(v.key())
                                    .versionId(v.versionId())
                                    .build()));
                    page.deleteMarkers()
                            .forEach(m -> keys.add(ObjectIdentifier.builder()
                                    .key(m.key())
                                    .versionId(m.versionId())
                                    .build()));
                })
                .join();
        for (int i = 0; i < keys.size(); i += 1000) {
            List<ObjectIdentifier> batch = keys.subList(i, Math.min(keys.size(), i + 1000));
            s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(batch)))
                    .join();
        }
    }

    static long elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
