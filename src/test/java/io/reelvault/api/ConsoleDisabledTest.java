package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With the console off (the test profile's setting, as in production without {@code REELVAULT_CONSOLE_ENABLED=true}),
 * none of its files is served: 404 {@code not_found}, as for any path that names nothing. {@code ConsoleBrowserTest}
 * runs it turned on.
 */
@QuarkusTest
class ConsoleDisabledTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/index.html",
                "/console/app.js",
                "/console/openapi.d.ts",
                "/console/console.css",
                "/vendor/uppy-6.0.1/uppy.min.js",
                "/vendor/openapi-fetch-0.17.0/index.mjs",
                "/console/",
                "/vendor/nothing"
            })
    void everyFileOfTheConsoleIsNotFound(String path) {
        given().get(path)
                .then()
                .statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("code", equalTo("not_found"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/console/app.js"})
    void aHeadIsNotFoundEither(String path) {
        given().head(path).then().statusCode(404);
    }
}
