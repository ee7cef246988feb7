package io.reelvault.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.time.Duration;
import java.util.Set;

/**
 * Tokens for @QuarkusTest tests, signed with the throwaway test key the app verifies with, for the test profile's
 * issuer and audience ({@code %test.mp.jwt.verify.audiences}).
 */
public final class TestTokens {
    /** The test profile's {@code mp.jwt.verify.audiences}. */
    public static final String AUDIENCE = "reelvault-test";
    /**
     * Long enough for any test class (or a debugger's pause) that mints its tokens once, in a field or a
     * {@code @BeforeAll}: a token that expired mid-run would turn later tests into 401s.
     */
    static final Duration LIFETIME = Duration.ofHours(24);

    private TestTokens() {}

    public static String user(String sub) {
        return ours(Jwt.subject(sub).groups(Set.of("user")).expiresIn(LIFETIME)).sign();
    }

    public static String pipeline(String sub) {
        return ours(Jwt.subject(sub).groups(Set.of("user", "pipeline")).expiresIn(LIFETIME))
                .sign();
    }

    public static String expired(String sub) {
        return ours(Jwt.subject(sub)
                        .groups(Set.of("user"))
                        .issuedAt(System.currentTimeMillis() / 1000 - 7200)
                        .expiresAt(System.currentTimeMillis() / 1000 - 3600))
                .sign();
    }

    public static String otherIssuer(String sub) {
        return ours(Jwt.issuer("someone-else")
                        .subject(sub)
                        .groups(Set.of("user"))
                        .expiresIn(LIFETIME))
                .sign();
    }

    /** A valid token of the same issuer and key, minted for another application. */
    public static String otherAudience(String sub) {
        return Jwt.audience("another-app")
                .subject(sub)
                .groups(Set.of("user"))
                .expiresIn(LIFETIME)
                .sign();
    }

    /** A valid token of the same issuer and key with no {@code aud} claim at all. */
    public static String noAudience(String sub) {
        return Jwt.subject(sub).groups(Set.of("user")).expiresIn(LIFETIME).sign();
    }

    private static JwtClaimsBuilder ours(JwtClaimsBuilder claims) {
        return claims.audience(AUDIENCE);
    }
}
