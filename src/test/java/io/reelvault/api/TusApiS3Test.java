package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/**
 * Every tus protocol test again on the S3 backend (s3proxy over HTTP): the upload is a multipart upload under
 * {@code .tus/} in the bucket, its tail and progress small objects beside it.
 */
@QuarkusTest
@TestProfile(S3Profile.class)
class TusApiS3Test extends TusApiTest {

    /** Not a test here: the S3 layout has no bytes file (its publication streams the object). */
    @Override
    void theFinishedBytesFileBecomesTheObjectWithoutACopy() {}

    /** Not a test here: it appends to the local backend's bytes file (the S3 layout has no such file). */
    @Override
    void bytesCompleteButNotPublishedAreAskedForAgainFromTheLastByte() {}

    /** Not a test here: it appends to the local backend's bytes file (the S3 layout has no such file). */
    @Override
    void aLastByteSentAgainDifferentlyIsStoredAndHashedAsSent() {}
}
