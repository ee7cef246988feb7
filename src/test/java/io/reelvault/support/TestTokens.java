package io.reelvault.support;

import io.smallrye.jwt.build.Jwt;
import java.time.Duration;
import java.util.Set;

/** Tokens for @QuarkusTest tests, signed with the throwaway test key the app verifies with. */
public final class TestTokens {
    private TestTokens() {}

    public static String user(String sub) {
        return Jwt.subject(sub).groups(Set.of("user")).expiresIn(Duration.ofMinutes(10)).sign();
    }

    public static String pipeline(String sub) {
        return Jwt.subject(sub).groups(Set.of("user", "pipeline")).expiresIn(Duration.ofMinutes(10)).sign();
    }

    public static String expired(String sub) {
        return Jwt.subject(sub).groups(Set.of("user")).issuedAt(System.currentTimeMillis() / 1000 - 7200)
                .expiresAt(System.currentTimeMillis() / 1000 - 3600).sign();
    }

    public static String otherIssuer(String sub) {
        return Jwt.issuer("someone-else").subject(sub).groups(Set.of("user")).expiresIn(Duration.ofMinutes(10)).sign();
    }
}
