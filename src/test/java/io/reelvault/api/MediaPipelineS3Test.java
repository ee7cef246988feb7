package io.reelvault.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.S3Profile;

/** The real-media tests again on S3: ffmpeg and ffprobe read SigV4 presigned URLs of s3proxy. */
@QuarkusTest
@TestProfile(S3Profile.class)
class MediaPipelineS3Test extends MediaPipelineTest {}
