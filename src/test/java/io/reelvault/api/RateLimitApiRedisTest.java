package io.reelvault.api;

import static io.reelvault.support.Problems.assertRateLimited;
import static io.reelvault.support.Uploads.upload;
import static io.reelvault.support.Uploads.url;
import static io.reelvault.support.Users.freshUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.support.MetricsText;
import io.reelvault.support.Poll;
import io.reelvault.support.RateLimitProfile;
import io.reelvault.support.RateLimitRedisProfile;
import io.reelvault.support.RedisResource;
import io.reelvault.support.TestTokens;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every rate-limit API test again, with the buckets on a real Redis; and the service without it. */
@QuarkusTest
@TestProfile(RateLimitRedisProfile.class)
class RateLimitApiRedisTest extends RateLimitApiTest {

    @Test
    void theBucketLivesInRedis() {
        String sub = freshUser("gina");
        String token = TestTokens.user(sub);
        String id = upload(token);
        url(token, id).statusCode(200);
        assertEquals(":1", RedisResource.server().command("EXISTS", "reelvault:rate:url:user:" + sub));
        assertEquals(":1", RedisResource.server().command("EXISTS", "reelvault:rate:upload:user:" + sub));
    }

    @Test
    void withRedisDownCallsAreAllowedThenLimitedAgain() {
        String token = TestTokens.user(freshUser("hank"));
        String id = upload(token);
        for (int i = 0; i < RateLimitProfile.USER_URLS; i++) {
            url(token, id).statusCode(200);
        }
        assertRateLimited(url(token, id), 60);
        MetricsText before = MetricsText.scrape();
        RedisResource.server().stop();
        try {
            for (int i = 0; i < 3; i++) {
                url(token, id).statusCode(200); // fail open
            }
        } finally {
            RedisResource.server().start(); // empty: the bucket starts full again
        }
        Poll.until(
                Duration.ofSeconds(10),
                "limiting again",
                () -> url(token, id).extract().statusCode() == 429);
        double errors = MetricsText.scrape()
                .delta(before, "reelvault_rate_limit_decisions_total", "class", "url", "result", "error");
        assertTrue(errors >= 3, "the allowed-while-down calls are counted as errors: " + errors);
    }
}
