package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.error.ErrorCode;
import io.reelvault.support.FailingObjectStore;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.Samples;
import io.reelvault.support.TestTokens;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A real 500: a store with a bug ({@link FailingObjectStore}) behind the API. The answer is a problem document with
 * the catalog code {@code internal_error}, a generic detail and the incident id that names the log line, and nothing
 * of the failure itself: no message, no exception class, no path, no stack.
 */
@QuarkusTest
@OpenApiContract.Checked
@TestProfile(InternalErrorApiTest.FailingStore.class)
class InternalErrorApiTest {
    public static class FailingStore implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(FailingObjectStore.class);
        }
    }

    @Test
    void aFailingStoreAnswers500WithTheIncidentIdOnly() throws Exception {
        String token = TestTokens.user("incident");
        assertIncidentOnly(
                given().auth().oauth2(token).get("/api/v1/uploads").then().extract()); // the listing throws
        assertIncidentOnly(given().auth()
                .oauth2(token)
                .get("/api/v1/uploads/upload_20260101_aaaaaaaaaaaa")
                .then()
                .extract());
        assertIncidentOnly(given().auth()
                .oauth2(token)
                .contentType("image/png")
                .body(Samples.png(1000)) // a failed Uni
                .post("/api/v1/uploads?filename=a.png")
                .then()
                .extract());
    }

    static void assertIncidentOnly(ExtractableResponse<Response> r) throws Exception {
        String body = r.asString();
        assertEquals(500, r.statusCode(), body);
        assertEquals("application/problem+json", r.contentType(), body);
        JsonNode problem = new ObjectMapper().readTree(body);
        assertEquals(ErrorCode.INTERNAL_ERROR.code(), problem.path("code").asText(), body);
        assertEquals(500, problem.path("status").asInt(), body);
        assertEquals("unexpected failure", problem.path("detail").asText(), body);
        assertTrue(problem.path("instance").asText().matches("urn:uuid:[0-9a-f-]{36}"), "an incident id: " + body);
        Set<String> fields = new HashSet<>();
        problem.fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("type", "title", "status", "code", "detail", "instance"), fields, body);
        for (String leak :
                List.of("srv", "secret", "db-internal", "IllegalState", "Exception", "io.reelvault", "at ")) {
            assertFalse(body.contains(leak), "'" + leak + "' leaked: " + body);
        }
    }
}
