package io.reelvault.support;

import static io.reelvault.support.JsonBody.hasField;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.ValidatableResponse;

/** Assertions on the API's error answers ({@code application/problem+json}). */
public final class Problems {
    private Problems() {}

    /** {@code r} is a problem answer with this status and code, a title and a type naming the code. */
    public static ValidatableResponse problem(ValidatableResponse r, int status, String code) {
        return r.statusCode(status)
                .contentType("application/problem+json")
                .body(
                        hasField("status", equalTo(status)),
                        hasField("code", equalTo(code)),
                        hasField("title", not(nullValue())),
                        hasField("type", containsString(code)));
    }

    /** {@code r} is a 429 {@code rate_limited} whose {@code Retry-After} is whole seconds, at most {@code maxSeconds}. */
    public static void assertRateLimited(ValidatableResponse r, int maxSeconds) {
        problem(r, 429, "rate_limited").body("detail", containsString("retry in"));
        long seconds = Long.parseLong(r.extract().header("Retry-After"));
        assertTrue(seconds >= 1 && seconds <= maxSeconds, "Retry-After in whole seconds: " + seconds);
    }
}
