package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.reelvault.support.browser.PageOrigins;
import java.util.Map;

/**
 * Rate limits on (the test profile turns them off), with buckets small enough to empty in a few calls and a
 * refill of one call a minute, so that nothing refills while a test runs. In-process buckets (no Redis).
 */
public class RateLimitProfile implements QuarkusTestProfile {
    public static final int USER_URLS = 3;
    public static final int PIPELINE_URLS = 6;
    public static final int USER_UPLOADS = 2;
    public static final int USER_LISTS = 2;
    public static final int PIPELINE_LISTS = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("ALLOWED_ORIGINS", PageOrigins.allowed().origin()),
                Map.entry("reelvault.rate-limits.enabled", "true"),
                Map.entry("reelvault.rate-limits.url.user-capacity", Integer.toString(USER_URLS)),
                Map.entry("reelvault.rate-limits.url.user-per-minute", "1"),
                Map.entry("reelvault.rate-limits.url.pipeline-capacity", Integer.toString(PIPELINE_URLS)),
                Map.entry("reelvault.rate-limits.url.pipeline-per-minute", "1"),
                Map.entry("reelvault.rate-limits.upload.user-capacity", Integer.toString(USER_UPLOADS)),
                Map.entry("reelvault.rate-limits.upload.user-per-minute", "1"),
                Map.entry("reelvault.rate-limits.list.user-capacity", Integer.toString(USER_LISTS)),
                Map.entry("reelvault.rate-limits.list.user-per-minute", "1"),
                Map.entry("reelvault.rate-limits.list.pipeline-capacity", Integer.toString(PIPELINE_LISTS)),
                Map.entry("reelvault.rate-limits.list.pipeline-per-minute", "1"));
    }
}
