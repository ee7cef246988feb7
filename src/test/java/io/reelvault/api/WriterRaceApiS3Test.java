package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** The writer race of {@link WriterRaceApiTest} again, on the S3 backend (s3proxy over HTTP). */
@QuarkusTest
@TestProfile(S3Profile.class)
class WriterRaceApiS3Test extends WriterRaceApiTest {}
