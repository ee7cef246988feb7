package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenApiContract} catches an answer that breaks the document: a null where the document says string, a field
 * of the wrong type, an error that is not {@code application/problem+json}, a status the operation does not list; and
 * the filter fails a real call whose answer does not match (here against a document altered on purpose). The service's
 * own answers pass it: this class is {@link OpenApiContract.Checked} like the API tests.
 */
@Tag("conformance")
@QuarkusTest
@OpenApiContract.Checked
class OpenApiContractTest {

    private static final String USER = TestTokens.user("contract-user");

    @Test
    void theServicesOwnAnswersPass() {
        String id = Uploads.upload(USER);
        given().auth().oauth2(USER).get("/api/v1/uploads/" + id).then().statusCode(200);
        given().auth().oauth2(USER).get("/api/v1/uploads").then().statusCode(200);
        given().auth()
                .oauth2(USER)
                .get("/api/v1/uploads/upload_20260101_abcdefabcdef")
                .then()
                .statusCode(404);
        given().get("/api/v1/uploads").then().statusCode(401);
    }

    @Test
    void aNullWhereTheDocumentSaysStringIsCaught() {
        assertCaught(get("/api/v1/uploads", 200, "application/json", "{\"items\":[],\"next_after\":null}"));
        assertPasses(get("/api/v1/uploads", 200, "application/json", "{\"items\":[]}"));
        assertCaught(get(
                "/api/v1/admin/usage",
                200,
                "application/json",
                "{\"areas\":{},\"total\":{\"objects\":0,\"bytes\":0},\"scanned_at\":null,\"source\":\"increments\"}"));
    }

    @Test
    void aMissingRequiredFieldIsCaught() {
        assertCaught(
                get("/api/v1/uploads", 200, "application/json", "{\"next_after\":\"upload_20260101_abcdefabcdef\"}"));
    }

    @Test
    void aFieldOfTheWrongTypeIsCaught() {
        assertCaught(get("/api/v1/uploads", 200, "application/json", "{\"items\":[{\"size_bytes\":\"large\"}]}"));
    }

    @Test
    void anErrorThatIsNotAProblemIsCaught() {
        String problem = "{\"type\":\"https://reelvault.io/problems/not_found\",\"title\":\"Not found\",\"status\":404,"
                + "\"detail\":\"no such upload\",\"code\":\"not_found\"}";
        String path = "/api/v1/uploads/upload_20260101_abcdefabcdef";
        assertPasses(get(path, 404, "application/problem+json", problem));
        assertCaught(get(path, 404, "text/html", "<h1>Not found</h1>"));
        assertCaught(get(path, 404, "application/problem+json", problem.replace("\"not_found\"", "\"no_such_code\"")));
        assertCaught(get(path, 418, "application/problem+json", problem));
    }

    @Test
    void theFilterFailsARealCallWhoseAnswerBreaksTheDocument() throws Exception {
        ObjectNode doc = (ObjectNode) new ObjectMapper()
                .readTree(given().get("/q/openapi?format=json").asString());
        // what the service answers stays; the document now says size_bytes is a string
        ((ObjectNode) doc.at("/components/schemas/UploadMetadata/properties/size_bytes"))
                .put("type", "string")
                .remove("format");
        OpenApiInteractionValidator altered = OpenApiContract.validatorOf(doc.toString());
        String id = Uploads.upload(USER);
        OpenApiValidationFilter.OpenApiValidationException e = assertThrows(
                OpenApiValidationFilter.OpenApiValidationException.class,
                () -> given().filter(new OpenApiValidationFilter(altered))
                        .auth()
                        .oauth2(USER)
                        .get("/api/v1/uploads/" + id));
        assertTrue(e.getMessage().contains("size_bytes"), e.getMessage());
    }

    private static ValidationReport get(String path, int status, String type, String body) {
        return OpenApiContract.validator()
                .validateResponse(
                        path,
                        Request.Method.GET,
                        SimpleResponse.Builder.status(status)
                                .withContentType(type)
                                .withBody(body)
                                .build());
    }

    private static void assertCaught(ValidationReport report) {
        assertTrue(report.hasErrors(), "expected the validator to refuse it");
    }

    private static void assertPasses(ValidationReport report) {
        assertFalse(report.hasErrors(), () -> report.getMessages().toString());
    }
}
