package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** Every compositions API test again, on the S3 backend (s3proxy over HTTP, SigV4 checked). */
@QuarkusTest
@TestProfile(S3Profile.class)
class CompositionsApiS3Test extends CompositionsApiTest {}
