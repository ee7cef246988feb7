package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.service.RateClass;
import io.reelvault.support.Management;
import io.reelvault.support.OpenApiContract;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Once Quarkus' pre-shutdown phase has begun (the event it fires on SIGTERM), every endpoint that streams a body into
 * storage answers 503 {@code shutting_down} before reading it, and everything else is still served. Its own profile:
 * the gate stays closed for the rest of this application's life. (GracefulShutdownIT shows the same on a real
 * SIGTERM, for {@code POST /api/v1/uploads}.)
 */
@QuarkusTest
@OpenApiContract.Checked
@TestProfile(ShutdownGateApiTest.Closing.class)
class ShutdownGateApiTest {
    public static class Closing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reelvault.storage.local.path", TestStorageRoot.path() + "-shutdown");
        }
    }

    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};
    static final String GEN = "gen_20260101_aaaaaaaaaaaa";
    static final String COMP = "comp_20260101_aaaaaaaaaaaa";

    @Inject
    Event<ShutdownDelayInitiatedEvent> preShutdown;

    @Test
    void afterTheSignalNewBodiesAreRefusedAndTheRestIsServed() throws Exception {
        String user = TestTokens.user("closing");
        String pipeline = TestTokens.pipeline("closing-worker");
        // a signed PUT URL obtained before the signal (the local backend serves it itself)
        String signedPut = given().auth()
                .oauth2(user)
                .contentType("application/json")
                .body(Map.of("filename", "direct.png", "content_type", "image/png", "size_bytes", PNG.length))
                .post("/api/v1/uploads/presign")
                .then()
                .statusCode(201)
                .extract()
                .path("upload_url");

        preShutdown.fire(new ShutdownDelayInitiatedEvent());

        Map<String, Supplier<ValidatableResponse>> uploads = Map.of(
                "POST /api/v1/uploads (raw)",
                        () -> send(user, "image/png")
                                .post("/api/v1/uploads?filename=a.png")
                                .then(),
                "POST /api/v1/uploads (multipart)",
                        () -> given().auth()
                                .oauth2(user)
                                .multiPart("file", "a.png", PNG, "image/png")
                                .post("/api/v1/uploads")
                                .then(),
                "PUT clip",
                        () -> send(pipeline, "video/mp4")
                                .put("/api/v1/generations/" + GEN + "/clips/1")
                                .then(),
                "PUT generation thumbnail",
                        () -> send(pipeline, "image/jpeg")
                                .put("/api/v1/generations/" + GEN + "/thumbnails/1")
                                .then(),
                "PUT audio",
                        () -> send(pipeline, "audio/mpeg")
                                .put("/api/v1/generations/" + GEN + "/audio")
                                .then(),
                "PUT final",
                        () -> send(pipeline, "video/mp4")
                                .put("/api/v1/compositions/" + COMP + "/final")
                                .then(),
                "PUT composition thumbnail",
                        () -> send(pipeline, "image/jpeg")
                                .put("/api/v1/compositions/" + COMP + "/thumbnail")
                                .then(),
                "PUT temp",
                        () -> send(pipeline, "application/octet-stream")
                                .put("/api/v1/temp/job-1/part.tmp")
                                .then());
        uploads.forEach((what, call) -> {
            ValidatableResponse answer = call.get();
            try {
                answer.statusCode(503)
                        .contentType("application/problem+json")
                        .body("code", equalTo("shutting_down"))
                        .body("instance", nullValue()) // a refusal by design, not an incident to look up in the log
                        .header("Retry-After", notNullValue());
            } catch (AssertionError e) {
                throw new AssertionError(
                        what + ": " + e.getMessage() + answer.extract().asString(), e);
            }
        });

        var direct = Uploads.putTo(signedPut, "image/png", PNG);
        assertEquals(503, direct.statusCode(), "signed PUT /storage/{key}: " + direct.body());
        assertTrue(direct.body().contains("\"code\":\"shutting_down\""), direct.body());
        assertTrue(direct.headers().firstValue("Retry-After").isPresent());

        given().auth().oauth2(user).get("/api/v1/uploads").then().statusCode(200);
        given().auth()
                .oauth2(user)
                .contentType("application/json")
                .body(Map.of("filename", "b.png", "content_type", "image/png", "size_bytes", 10))
                .post("/api/v1/uploads/presign")
                .then()
                .statusCode(201);
        Management.given().get("/q/health/live").then().statusCode(200);
    }

    /** Every method in the upload rate class streams a body into storage, so it must be refused while shutting down. */
    @Test
    void everyUploadEndpointIsGated() {
        List<Method> uploads = Arrays.stream(new Class<?>[] {
                    UploadResource.class, GenerationResource.class, CompositionResource.class, TempResource.class
                })
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> m.isAnnotationPresent(RateLimited.class)
                        && m.getAnnotation(RateLimited.class).value() == RateClass.UPLOAD)
                .toList();
        assertEquals(8, uploads.size(), uploads.toString());
        uploads.forEach(m -> assertTrue(m.isAnnotationPresent(StreamedBody.class), m + " is not @StreamedBody"));
    }

    private static RequestSpecification send(String token, String type) {
        return given().auth().oauth2(token).contentType(type).body(PNG);
    }
}
