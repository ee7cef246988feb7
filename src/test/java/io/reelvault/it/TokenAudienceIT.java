package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged application accepts only tokens minted for it: the same issuer and key, but an {@code aud} naming
 * another application (or none), get 401 {@code unauthenticated}.
 */
class TokenAudienceIT {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tokensOfTheSameIssuerForAnotherAudienceAreRefused() throws Exception {
        PackagedApp app =
                PackagedApp.start("audience", Map.of("MP_JWT_VERIFY_AUDIENCES", "other-app," + ItKeys.AUDIENCE));
        try {
            assertEquals(
                    200,
                    list(app, ItKeys.token("aud-alice")).statusCode(),
                    "a token for one of the configured audiences");
            assertEquals(
                    200,
                    list(app, ItKeys.token("aud-alice", "other-app")).statusCode(),
                    "the other configured audience");
            for (String foreign : new String[] {"billing-app", "", ItKeys.AUDIENCE + "-x"}) {
                HttpResponse<String> refused = list(app, ItKeys.token("aud-alice", foreign));
                assertEquals(401, refused.statusCode(), "aud=" + foreign + ": " + refused.body());
                assertTrue(refused.body().contains("\"code\":\"unauthenticated\""), refused.body());
            }
            HttpResponse<String> none = list(app, ItKeys.token("aud-alice", null));
            assertEquals(401, none.statusCode(), "no aud: " + none.body());
        } finally {
            app.process().destroyForcibly(); // SIGKILL: a SIGTERM would wait out the pre-shutdown delay (5 s)
            app.process().waitFor();
        }
    }

    HttpResponse<String> list(PackagedApp app, String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(app.uri("/api/v1/uploads"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
