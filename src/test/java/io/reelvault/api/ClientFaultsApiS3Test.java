package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.storage.s3.S3ObjectStore;
import io.reelvault.support.S3Profile;
import io.reelvault.support.S3ProxyResource;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Every client-fault test again on S3 (s3proxy): no multipart upload left under the keys of the requests (S3's
 * ListMultipartUploads), and the buffer budget whole again. One kind of doomed request here is a chunked temp file
 * abandoned past its first part (10 MiB), so that a multipart upload has begun and a part is in flight when the
 * client goes.
 */
@QuarkusTest
@TestProfile(S3Profile.class)
class ClientFaultsApiS3Test extends ClientFaultsApiTest {
    static final int PART = 10 * 1024 * 1024;

    S3ObjectStore s3() {
        return store.capability(S3ObjectStore.class).orElseThrow();
    }

    @Override
    boolean noPartialWrites() {
        return S3ProxyResource.uploadsInProgress("uploads/") == 0
                && S3ProxyResource.uploadsInProgress("generations/") == 0
                && S3ProxyResource.uploadsInProgress("temp/") == 0;
    }

    @Override
    long bufferFree() {
        return s3().bufferBudgetFree();
    }

    @Override
    List<Function<Random, Doomed>> kinds() {
        return List.of(
                this::rawKnownLength,
                this::rawChunked,
                this::multipartForm,
                this::clip,
                this::tempFile,
                random -> tempFile(random, PART + PART / 10, PART + PART / 40));
    }

    @Override
    boolean signedPutsHere() {
        return false;
    }
}
