package io.reelvault.support.browser;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The local backend as browsers and multipart clients meet it: {@code ALLOWED_ORIGINS} naming the allowed page origin
 * of {@link PageOrigins} (and not the other one), the web console on ({@code REELVAULT_CONSOLE_ENABLED}; the test
 * profile leaves it off, as production does), and user uploads up to 16 MiB in direct multipart parts of
 * {@link #PART_SIZE} (S3's smallest), so that a 12 MiB file has 3 parts and a file over the console's 8 MiB threshold
 * goes in parts.
 *
 * <p>One profile for the browser API tests, the console's and the multipart API tests (and {@link BrowserS3Profile}
 * for their S3 runs): each test profile costs the suite a Quarkus build and a start, and none of these settings
 * changes what the other classes check.
 */
public class BrowserProfile implements QuarkusTestProfile {
    /** The direct multipart part size. */
    public static final int PART_SIZE = 5 * 1024 * 1024;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "ALLOWED_ORIGINS",
                PageOrigins.allowed().origin(),
                "reelvault.console.enabled",
                "true",
                "reelvault.uploads.max-size",
                "16M",
                "reelvault.uploads.multipart-part-size",
                "5M");
    }
}
