package io.reelvault.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A top-level field of a small flat JSON answer, read without a JSON library (for clients that read raw text). */
public final class JsonFields {
    private JsonFields() {}

    /** The value of field {@code name} (a string without its quotes, or a number); fails when absent. */
    public static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }
}
