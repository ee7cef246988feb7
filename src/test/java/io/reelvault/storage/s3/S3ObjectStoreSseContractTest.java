package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelvault.model.ObjectKey;
import io.reelvault.support.S3ProxyServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The S3 contract again with the production default, {@code REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION=AES256}: every
 * PutObject, CreateMultipartUpload and presigned PUT carries {@code x-amz-server-side-encryption: AES256}, on s3proxy's
 * {@code transient} store (the one that implements encryption; it keeps objects in memory). Every shared contract test
 * and every S3 write test runs; the tests whose requests carry no encryption header are not run again (listed below,
 * overridden without {@code @Test}), which keeps this class to a few seconds.
 */
class S3ObjectStoreSseContractTest extends S3ObjectStoreContractTest {

    /** Hides the superclass's: the transient store instead of the filesystem one. */
    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.inMemory().start();
    }

    @Override
    ServerSideEncryption sse() {
        return ServerSideEncryption.AES256;
    }

    /** Small, multipart of known and unknown length, conditional and presigned writes: all stored with SSE-S3. */
    @Test
    void everyWriteIsStoredEncrypted() throws Exception {
        put("temp/e/small.tmp", randomBytes(1000, 70));
        store.put(
                        key("temp/e/known.tmp"),
                        chunked(randomBytes((int) (7 * MIB), 71), 65536),
                        OptionalLong.of(7 * MIB),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        store.put(
                        key("temp/e/unknown.tmp"),
                        chunked(randomBytes((int) (7 * MIB), 72), 65536),
                        OptionalLong.empty(),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        store.putIfAbsent(
                        key("temp/e/once.tmp"),
                        chunked(randomBytes(2000, 73), 512),
                        OptionalLong.of(2000),
                        "application/octet-stream")
                .await()
                .atMost(WAIT);
        var url = store.sign(
                "PUT",
                key("uploads/u/upload_20260101_eeeeeeeeeeee/original.png"),
                Duration.ofMinutes(15),
                Map.of("Content-Type", "image/png", "Content-Length", "2000"));
        assertEquals(
                "AES256", url.requiredHeaders().get("x-amz-server-side-encryption"), "the client is told to send it");
        assertEquals(
                200,
                presignedPut(HttpClient.newHttpClient(), url, randomBytes(2000, 74))
                        .statusCode());
        for (String k : new String[] {
            "temp/e/small.tmp",
            "temp/e/known.tmp",
            "temp/e/unknown.tmp",
            "temp/e/once.tmp",
            "uploads/u/upload_20260101_eeeeeeeeeeee/original.png"
        }) {
            var head = client.headObject(b -> b.bucket(bucket).key(k)).join();
            assertEquals(ServerSideEncryption.AES256, head.serverSideEncryption(), k + " is stored encrypted");
        }
        assertEquals(
                7 * MIB,
                store.head(ObjectKey.parse("temp/e/unknown.tmp"))
                        .await()
                        .atMost(WAIT)
                        .orElseThrow()
                        .size());
        assertEquals(1000, read("temp/e/small.tmp", Optional.empty()).length);
    }

    // Not run again: no request of theirs depends on the encryption setting, or they need a filesystem store.

    /** 125 MiB, which the transient store would hold in the test JVM's heap; the multipart tests above cover SSE. */
    @Override
    void twentyFivePartUploadRoundTrips() {}

    /** Stops and starts a filesystem s3proxy of its own, without encryption. */
    @Override
    void serverStoppedMidUploadIsA5xxAndLeavesNothingOnceItIsBack() {}

    /** A server that is not running. */
    @Override
    void anUnreachableServerIsA503() {}

    /** Signing only; already loops over every encryption setting. */
    @Override
    void everyHeaderAPresignedPutRequiresIsAllowedByTheBucketsCorsRule() {}

    /** Signing only: the expiry cap. */
    @Override
    void presignedUrlsNeverOutliveTemporaryCredentials() {}
}
