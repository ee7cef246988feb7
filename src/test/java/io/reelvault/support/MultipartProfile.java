package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Direct multipart uploads on the local backend: user uploads up to 16 MiB (the test profile's 2 MiB would fit in
 * one part) in parts of 5 MiB, S3's smallest, so that a 12 MiB file has 3 parts.
 */
public class MultipartProfile implements QuarkusTestProfile {
    public static final int PART_SIZE = 5 * 1024 * 1024;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "reelvault.uploads.max-size", "16M",
                "reelvault.uploads.multipart-part-size", "5M");
    }
}
