package io.reelvault.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token cache in front of smallrye-jwt's real verification (RS256, a PEM file key). */
class CachingJwtParserTest {
    private static final String ISSUER = "cache-test";
    private static KeyPair keyA;
    private static KeyPair keyB;

    @TempDir
    Path dir;

    private Path keyFile;
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private final AtomicInteger verifications = new AtomicInteger();
    private CachingJwtParser parser;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keyA = generator.generateKeyPair();
        keyB = generator.generateKeyPair();
    }

    @BeforeEach
    void parser() throws Exception {
        keyFile = dir.resolve("public.pem");
        writeKey(keyA);
        JWTAuthContextInfo info = new JWTAuthContextInfo(keyFile.toUri().toString(), ISSUER);
        VerifiedTokens cache = new VerifiedTokens(100, 600_000, null, clock::get);
        parser = new CachingJwtParser(info, cache, i -> counting(CachingJwtParser.freshParser(i)));
        parser.checkKeys(); // the first reading
    }

    @Test
    void aVerifiedTokenIsAnsweredFromTheCache() throws Exception {
        String token = token(keyA.getPrivate(), "alice", 3600);
        JsonWebToken first = parser.parse(token);
        assertEquals("alice", first.getSubject());
        assertSame(first, parser.parse(token));
        assertEquals(1, verifications.get(), "the second parse verified nothing");
        assertEquals(1, parser.cachedTokens());
    }

    @Test
    void aWrongSignatureIsRefusedEvenAfterTheValidTokenWasCached() throws Exception {
        String token = token(keyA.getPrivate(), "alice", 3600);
        parser.parse(token);
        String[] parts = token.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[10] ^= 1;
        String tampered = parts[0] + "." + parts[1] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        assertThrows(ParseException.class, () -> parser.parse(tampered));
        String otherKey = token(keyB.getPrivate(), "alice", 3600);
        assertThrows(ParseException.class, () -> parser.parse(otherKey));
        String otherClaims =
                parts[0] + "." + token(keyA.getPrivate(), "mallory", 3600).split("\\.")[1] + "." + parts[2];
        assertThrows(ParseException.class, () -> parser.parse(otherClaims));
        assertThrows(ParseException.class, () -> parser.parse(otherClaims), "a refused token stays refused");
        assertEquals(1, parser.cachedTokens(), "refused tokens are never remembered");
        assertEquals("alice", parser.parse(token).getSubject());
    }

    @Test
    void aCachedTokenIsVerifiedAgainOnceItsExpHasPassed() throws Exception {
        String token = token(keyA.getPrivate(), "alice", 60);
        parser.parse(token);
        parser.parse(token);
        assertEquals(1, verifications.get());
        clock.addAndGet(60_000);
        parser.parse(token); // past exp by the cache's clock: smallrye-jwt checks it again (by its own clock)
        assertEquals(2, verifications.get(), "past exp the cache did not answer");
    }

    @Test
    void anExpiredTokenIsRefusedAndNotCached() throws Exception {
        String expired = Jwt.issuer(ISSUER)
                .subject("alice")
                .issuedAt(System.currentTimeMillis() / 1000 - 7200)
                .expiresAt(System.currentTimeMillis() / 1000 - 3600)
                .sign(keyA.getPrivate());
        assertThrows(ParseException.class, () -> parser.parse(expired));
        assertThrows(ParseException.class, () -> parser.parse(expired));
        assertEquals(0, parser.cachedTokens());
    }

    @Test
    void aRotatedKeyInvalidatesTheCacheAndIsLoaded() throws Exception {
        String oldToken = token(keyA.getPrivate(), "alice", 3600);
        parser.parse(oldToken);
        parser.checkKeys(); // unchanged: the cache stays
        assertEquals(1, parser.cachedTokens());

        writeKey(keyB);
        parser.checkKeys();
        assertEquals(0, parser.cachedTokens());
        assertThrows(ParseException.class, () -> parser.parse(oldToken), "the old key no longer verifies");
        assertEquals("bob", parser.parse(token(keyB.getPrivate(), "bob", 3600)).getSubject());
    }

    @Test
    void anUnreadableKeyForgetsTheCacheButKeepsVerifying() throws Exception {
        String token = token(keyA.getPrivate(), "alice", 3600);
        parser.parse(token);
        Files.delete(keyFile);
        parser.checkKeys();
        assertEquals(0, parser.cachedTokens());
        assertEquals("alice", parser.parse(token).getSubject(), "the parser keeps the key it loaded");
        assertEquals(2, verifications.get());
    }

    private String token(PrivateKey key, String sub, long lifetimeSecs) {
        long now = System.currentTimeMillis() / 1000;
        return Jwt.issuer(ISSUER)
                .subject(sub)
                .issuedAt(now)
                .expiresAt(now + lifetimeSecs)
                .sign(key);
    }

    private void writeKey(KeyPair pair) throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Files.writeString(keyFile, pem);
    }

    private JWTParser counting(JWTParser real) {
        return new ForwardingParser(real) {
            @Override
            public JsonWebToken parse(String token) throws ParseException {
                verifications.incrementAndGet();
                return super.parse(token);
            }
        };
    }
}
