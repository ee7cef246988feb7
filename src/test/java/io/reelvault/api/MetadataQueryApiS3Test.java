package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** The metadata queries again on S3 (ListObjectsV2 with StartAfter, GetObject per document). */
@QuarkusTest
@TestProfile(S3Profile.class)
class MetadataQueryApiS3Test extends MetadataQueryApiTest {}
