package io.reelvault.browser;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.browser.BrowserRateLimitS3Profile;

/** The 429 read by a page, with the service on S3. */
@QuarkusTest
@TestProfile(BrowserRateLimitS3Profile.class)
class BrowserRateLimitS3Test extends BrowserRateLimitTest {}
