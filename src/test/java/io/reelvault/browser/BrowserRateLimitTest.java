package io.reelvault.browser;

import static io.reelvault.support.Users.freshUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.RateLimitProfile;
import io.reelvault.support.TestTokens;
import io.reelvault.support.browser.BrowserRateLimitProfile;
import io.reelvault.support.browser.Chromium;
import io.reelvault.support.browser.PageOrigins;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A page that runs into the rate limit reads the 429's {@code Retry-After} (an exposed header) and its problem
 * detail. Local backend; {@link BrowserRateLimitS3Test} on S3.
 */
@QuarkusTest
@TestProfile(BrowserRateLimitProfile.class)
class BrowserRateLimitTest {
    static Chromium browser;

    @TestHTTPResource("/")
    URL service;

    @BeforeAll
    static void startBrowser() {
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void thePageReadsRetryAfterOnA429() {
        browser.open(PageOrigins.allowed().url("lab.html"));
        String token = TestTokens.user(freshUser("hasty"));
        Map<String, Object> r = browser.call(
                "listUntilLimited", service.toString().replaceAll("/$", ""), token, RateLimitProfile.USER_LISTS + 3);
        browser.screenshot(getClass().getSimpleName() + "-thePageReadsRetryAfterOnA429");
        assertEquals(429L, r.get("status"), r.toString());
        assertEquals((long) RateLimitProfile.USER_LISTS + 1, r.get("calls"), r.toString());
        String retryAfter = (String) r.get("retryAfter");
        assertTrue(retryAfter != null && retryAfter.matches("[1-9][0-9]*"), "Retry-After is exposed: " + r);
        @SuppressWarnings("unchecked")
        Map<String, Object> problem = (Map<String, Object>) r.get("problem");
        assertEquals("rate_limited", problem.get("code"), r.toString());
        assertEquals(problem.get("detail"), browser.text("problem"), "the page shows the problem's detail");
    }
}
