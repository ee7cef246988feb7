package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** Every tus concatenation test again on the S3 backend (s3proxy over HTTP). */
@QuarkusTest
@TestProfile(S3Profile.class)
class TusConcatenationS3Test extends TusConcatenationApiTest {}
