package io.reelvault.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelvault.support.S3ProxyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Bucket setup and verify on s3proxy's {@code transient} store, which implements default encryption and
 * versioning and answers 501 for public access block, lifecycle and CORS.
 */
class BucketAdminS3ProxyTest {
    static S3ProxyServer server;
    static S3AsyncClient s3;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.inMemory().start();
        s3 = server.client();
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    static BucketAdmin admin(String bucket, boolean versioning) {
        s3.createBucket(b -> b.bucket(bucket)).join();
        return new BucketAdmin(s3, bucket, new BucketAdmin.Wanted(List.of("https://app.example.com"), versioning));
    }

    @Test
    void setupAppliesEncryptionAndVersioningAndVerifySaysOk() {
        BucketAdmin admin = admin("setup-verify", true);
        List<String> setup = new ArrayList<>();
        assertEquals(0, admin.setup(setup::add), String.join("\n", setup));
        assertEquals(
                List.of(
                        "unsupported public-access-block: not supported by this server",
                        "applied encryption: SSE-S3 (AES256) by default",
                        "unsupported lifecycle: not supported by this server",
                        "unsupported cors: not supported by this server",
                        "applied versioning: Enabled (no lifecycle rule expires noncurrent versions: deleted and expired"
                                + " objects stay stored as such)"),
                setup);

        List<String> verify = new ArrayList<>();
        assertEquals(0, admin.verify(verify::add), String.join("\n", verify));
        assertEquals(
                List.of(
                        "unsupported public-access-block: not supported by this server",
                        "ok encryption",
                        "unsupported lifecycle: not supported by this server",
                        "unsupported cors: not supported by this server",
                        "ok versioning"),
                verify);
    }

    @Test
    void verifyOfAnUnconfiguredBucketReportsDrift() {
        BucketAdmin admin = admin("never-set-up", true);
        List<String> verify = new ArrayList<>();
        assertEquals(1, admin.verify(verify::add));
        assertEquals("drift encryption: none set", verify.get(1));
        assertEquals("drift versioning: Status expected Enabled, actual unset", verify.get(4));
    }

    @Test
    void versioningIsLeftAloneUnlessWanted() {
        BucketAdmin admin = admin("unversioned", false);
        List<String> setup = new ArrayList<>();
        assertEquals(0, admin.setup(setup::add));
        assertEquals(4, setup.size(), String.join("\n", setup));
        assertEquals(
                null,
                s3.getBucketVersioning(b -> b.bucket("unversioned")).join().status());
    }

    @Test
    void aMissingBucketIsAnErrorNamingTheS3Code() {
        BucketAdmin admin =
                new BucketAdmin(s3, "no-such-bucket", new BucketAdmin.Wanted(List.of("https://a.example"), false));
        List<String> verify = new ArrayList<>();
        assertEquals(1, admin.verify(verify::add));
        assertEquals("error encryption: NoSuchBucket (HTTP 404)", verify.get(1), String.join("\n", verify));
    }
}
