package io.reelvault.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {
    private static final long NOW = 1_800_000_000_000L;
    private final AtomicLong clock = new AtomicLong(NOW);

    private VerifiedTokens tokens(int max) {
        return new VerifiedTokens(max, 600_000, null, clock::get);
    }

    @Test
    void answersARememberedTokenUntilItsExpExactly() {
        VerifiedTokens tokens = tokens(10);
        JsonWebToken jwt = jwt(Map.of("exp", NOW / 1000 + 60));
        tokens.remember("a.b.c", jwt, tokens.epoch());
        assertSame(jwt, tokens.find("a.b.c").orElseThrow());
        assertTrue(tokens.find("a.b.d").isEmpty(), "another token is another hash");
        clock.set(NOW + 59_999);
        assertTrue(tokens.find("a.b.c").isPresent());
        clock.set(NOW + 60_000);
        assertTrue(tokens.find("a.b.c").isEmpty(), "at exp the cache no longer answers");
        clock.set(NOW);
        assertTrue(tokens.find("a.b.c").isEmpty(), "an expired entry is dropped when seen");
    }

    @Test
    void answersNoLongerThanItsMaxAgeAfterVerification() {
        VerifiedTokens tokens = new VerifiedTokens(10, 1_000, null, clock::get);
        tokens.remember("t", jwt(Map.of("exp", NOW / 1000 + 3600)), tokens.epoch());
        clock.set(NOW + 999);
        assertTrue(tokens.find("t").isPresent());
        clock.set(NOW + 1_000);
        assertTrue(tokens.find("t").isEmpty());
    }

    @Test
    void respectsTheMaximumTokenAgeAfterIat() {
        VerifiedTokens tokens = new VerifiedTokens(10, 600_000, 30L, clock::get);
        tokens.remember("t", jwt(Map.of("exp", NOW / 1000 + 3600, "iat", NOW / 1000 - 20)), tokens.epoch());
        clock.set(NOW + 9_999);
        assertTrue(tokens.find("t").isPresent());
        clock.set(NOW + 10_000);
        assertTrue(tokens.find("t").isEmpty(), "iat + token age has passed");
        tokens.remember("no-iat", jwt(Map.of("exp", NOW / 1000 + 3600)), tokens.epoch());
        assertTrue(tokens.find("no-iat").isEmpty(), "with a token age, a token without iat is not stored");
    }

    @Test
    void neverStoresATokenWithoutExpAlreadyExpiredOrNotYetValid() {
        VerifiedTokens tokens = tokens(10);
        tokens.remember("no-exp", jwt(Map.of()), tokens.epoch());
        tokens.remember("expired", jwt(Map.of("exp", NOW / 1000 - 1)), tokens.epoch());
        tokens.remember("nbf", jwt(Map.of("exp", NOW / 1000 + 60, "nbf", NOW / 1000 + 10)), tokens.epoch());
        assertEquals(0, tokens.size());
    }

    @Test
    void aKeyChangeForgetsEverythingAndRefusesVerificationsStartedBefore() {
        VerifiedTokens tokens = tokens(10);
        JsonWebToken jwt = jwt(Map.of("exp", NOW / 1000 + 60));
        long before = tokens.epoch();
        tokens.remember("t", jwt, before);
        tokens.invalidateAll();
        assertTrue(tokens.find("t").isEmpty());
        tokens.remember("u", jwt, before); // verified with the old key, finished after the change
        assertTrue(tokens.find("u").isEmpty());
        assertEquals(0, tokens.size());
        tokens.remember("u", jwt, tokens.epoch());
        assertTrue(tokens.find("u").isPresent());
    }

    @Test
    void isBounded() {
        VerifiedTokens tokens = tokens(100);
        for (int i = 0; i < 1_000; i++) {
            tokens.remember("token-" + i, jwt(Map.of("exp", NOW / 1000 + 60)), tokens.epoch());
            assertTrue(tokens.size() <= 100, "size " + tokens.size());
        }
        assertTrue(tokens.find("token-999").isPresent(), "the newest is kept");
    }

    @Test
    void aFullCacheDropsExpiredEntriesFirst() {
        VerifiedTokens tokens = tokens(3);
        tokens.remember("short", jwt(Map.of("exp", NOW / 1000 + 1)), tokens.epoch());
        tokens.remember("long-1", jwt(Map.of("exp", NOW / 1000 + 60)), tokens.epoch());
        tokens.remember("long-2", jwt(Map.of("exp", NOW / 1000 + 60)), tokens.epoch());
        clock.set(NOW + 2_000);
        tokens.remember("long-3", jwt(Map.of("exp", NOW / 1000 + 60)), tokens.epoch());
        assertTrue(tokens.find("long-1").isPresent());
        assertTrue(tokens.find("long-2").isPresent());
        assertTrue(tokens.find("long-3").isPresent());
    }

    private static JsonWebToken jwt(Map<String, Object> claims) {
        Map<String, Object> all = new HashMap<>(claims);
        return new JsonWebToken() {
            @Override
            public String getName() {
                return "user";
            }

            @Override
            public Set<String> getClaimNames() {
                return all.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String name) {
                return (T) all.get(name);
            }
        };
    }
}
