package io.reelvault.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeDiagnosingMatcher;

/**
 * Top-level fields of a JSON answer read with Jackson, for checks that run hundreds of times (problem answers, hostile
 * input loops). RestAssured's own paths ({@code .body("code", ...)}, {@code jsonPath()}) compile a Groovy script
 * per evaluation, whose class lookups walk the whole test class path: about half the test thread's time in a loop of
 * small requests.
 */
public final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {}

    /**
     * Field {@code name} of the JSON object {@code body} as RestAssured's paths give it: text as a String, integers as
     * Integer (Long when larger), booleans, and null when absent or null; anything else as its JSON text.
     */
    public static Object field(String body, String name) {
        JsonNode node;
        try {
            node = JSON.readTree(body).get(name);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isInt()) {
            return node.intValue();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.toString();
    }

    /** Field {@code name} of {@code body} as text; null when absent or null. */
    public static String text(String body, String name) {
        Object value = field(body, name);
        return value == null ? null : value.toString();
    }

    /** Matches a JSON object text whose field {@code name} ({@link #field}) matches {@code value}. */
    public static Matcher<String> hasField(String name, Matcher<?> value) {
        return new TypeSafeDiagnosingMatcher<>() {
            @Override
            protected boolean matchesSafely(String body, Description mismatch) {
                Object actual = field(body, name);
                if (value.matches(actual)) {
                    return true;
                }
                mismatch.appendText(name + " ");
                value.describeMismatch(actual, mismatch);
                mismatch.appendText(" in " + body);
                return false;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("JSON field " + name + " ").appendDescriptionOf(value);
            }
        };
    }
}
