package io.reelvault.browser;

import static io.reelvault.support.Users.freshUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.RateLimitProfile;
import io.reelvault.support.TestTokens;
import io.reelvault.support.browser.Chromium;
import io.reelvault.support.browser.PageOrigins;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A page that runs into the rate limit reads the 429's {@code Retry-After} (an exposed header) and its problem
 * detail. Local backend; {@link BrowserRateLimitS3Test} on S3.
 */
@QuarkusTest
@TestProfile(RateLimitProfile.class)
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

    /** Every API answer the page received, the 429 included, is one the document describes. */
    @AfterEach
    void thePageReceivedOnlyDocumentedAnswers() {
        OpenApiContract.assertAnswersValid(api(), browser.takeApiAnswers());
    }

    String api() {
        return service.toString().replaceAll("/$", "");
    }

    @Test
    void thePageReadsRetryAfterOnA429() {
        browser.keepApiAnswers(api());
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

        // the answers the page received are recorded with their bodies, and a broken one would be caught
        List<OpenApiContract.Answer> answers = browser.takeApiAnswers();
        OpenApiContract.Answer limited = answers.stream()
                .filter(a -> a.status() == 429)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the 429 is recorded: " + answers));
        assertTrue(limited.body().contains("\"rate_limited\""), limited.body());
        assertEquals(List.of(), OpenApiContract.violations(api(), limited));
        OpenApiContract.Answer broken = new OpenApiContract.Answer(
                limited.method(),
                limited.url(),
                limited.status(),
                limited.headers(),
                limited.body().replace("\"rate_limited\"", "\"no_such_code\""));
        assertFalse(OpenApiContract.violations(api(), broken).isEmpty(), "a code outside the catalog is caught");
        OpenApiContract.assertAnswersValid(api(), answers);
    }
}
