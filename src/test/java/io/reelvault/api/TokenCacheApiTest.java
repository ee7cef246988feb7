package io.reelvault.api;

import static io.reelvault.support.Problems.problem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.api.auth.CachingJwtParser;
import io.reelvault.support.TestTokens;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache in the running service: Quarkus' JWT validator uses {@link CachingJwtParser}, and a token
 * answered from its cache does not make a forged neighbour pass.
 */
@QuarkusTest
class TokenCacheApiTest {
    @Inject
    JWTParser parser;

    @Test
    void theValidatorsParserIsTheCachingOne() {
        assertInstanceOf(CachingJwtParser.class, ClientProxy.unwrap(parser));
    }

    @Test
    void aForgedTokenIsRefusedWhileItsGenuineNeighbourIsCached() {
        String token = TestTokens.user("cache-alice");
        given().auth().oauth2(token).get("/api/v1/uploads").then().statusCode(200);
        given().auth().oauth2(token).get("/api/v1/uploads").then().statusCode(200);

        String[] parts = token.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[0] ^= 1;
        String badSignature = parts[0] + "." + parts[1] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        problem(given().auth().oauth2(badSignature).get("/api/v1/uploads").then(), 401, "unauthenticated");

        // the genuine signature over other claims (another user)
        String otherPayload = TestTokens.user("cache-mallory").split("\\.")[1];
        String swapped = parts[0] + "." + otherPayload + "." + parts[2];
        problem(given().auth().oauth2(swapped).get("/api/v1/uploads").then(), 401, "unauthenticated");

        problem(
                given().auth()
                        .oauth2(TestTokens.expired("cache-alice"))
                        .get("/api/v1/uploads")
                        .then(),
                401,
                "unauthenticated");
        given().auth().oauth2(token).get("/api/v1/uploads").then().statusCode(200);
    }
}
