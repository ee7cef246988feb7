package io.reelvault.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterFingerprintTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ParameterFingerprint NO_DEFAULTS = new ParameterFingerprint(Map.of());

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String fp(String parameters) {
        return NO_DEFAULTS.fingerprint(json(parameters));
    }

    @Test
    void keyOrderDoesNotMatterAtAnyDepth() {
        assertEquals(fp("{\"a\":1,\"b\":{\"x\":true,\"y\":[1,2]}}"), fp("{\"b\":{\"y\":[1,2],\"x\":true},\"a\":1}"));
        assertEquals(
                "{\"a\":1,\"b\":{\"x\":true,\"y\":[1,2]}}",
                NO_DEFAULTS.canonicalJson(json("{ \"b\" : {\"y\":[1, 2], \"x\":true}, \"a\":1 }")));
    }

    @Test
    void everySpellingOfANumberIsOneValue() {
        String one = fp("{\"cfg\":1}");
        for (String spelling : new String[] {"1.0", "1e0", "1E+0", "10E-1", "1.000", "0.1e1"}) {
            assertEquals(one, fp("{\"cfg\":" + spelling + "}"), spelling);
        }
        assertEquals(fp("{\"x\":0}"), fp("{\"x\":-0.0}"));
        assertEquals(
                "{\"big\":12345678901234567890,\"d\":1000000,\"small\":0.00001}",
                NO_DEFAULTS.canonicalJson(json("{\"d\":1e6,\"small\":1e-5,\"big\":12345678901234567890}")));
        ObjectMapper decimals = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        try {
            assertEquals(fp("{\"g\":7.5}"), NO_DEFAULTS.fingerprint(decimals.readTree("{\"g\":7.50}")));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nonFiniteAndAbsurdNumbersAreRejected() {
        var nan = JsonNodeFactory.instance.objectNode().put("x", Double.NaN);
        var inf = JsonNodeFactory.instance.objectNode().put("x", Double.POSITIVE_INFINITY);
        var huge = JsonNodeFactory.instance.objectNode().put("x", new BigDecimal("1e999999"));
        assertThrows(IllegalArgumentException.class, () -> NO_DEFAULTS.fingerprint(nan));
        assertThrows(IllegalArgumentException.class, () -> NO_DEFAULTS.fingerprint(inf));
        assertThrows(IllegalArgumentException.class, () -> NO_DEFAULTS.fingerprint(huge));
        assertThrows(IllegalArgumentException.class, () -> NO_DEFAULTS.fingerprint(json("[1]")));
    }

    @Test
    void aScopedFingerprintBelongsToOneOwnerAndKeepsTheShape() {
        String shared = fp("{\"seed\":42}");
        String alices = ParameterFingerprint.scoped(shared, "alice");
        assertEquals(alices, ParameterFingerprint.scoped(fp("{\"seed\":42.0}"), "alice"), "deterministic");
        assertNotEquals(shared, alices);
        assertNotEquals(alices, ParameterFingerprint.scoped(shared, "bob"));
        assertNotEquals(alices, ParameterFingerprint.scoped(fp("{\"seed\":43}"), "alice"));
        // no owner/fingerprint split makes two owners meet: the parts are separated by a byte no user id has
        assertNotEquals(ParameterFingerprint.scoped("v1:x", "ab"), ParameterFingerprint.scoped("bv1:x", "a"));
        assertTrue(
                alices.matches(ParameterFingerprint.VERSION + ":[0-9a-f]{64}"),
                "the shape of a fingerprint: " + alices);
    }

    @Test
    void nestedObjectsAndArraysAreCanonicalisedButArraysKeepTheirOrder() {
        assertEquals(
                fp("{\"camera\":{\"motion\":{\"pan\":0.5,\"tilt\":0}}}"),
                fp("{\"camera\":{\"motion\":{\"tilt\":0.0,\"pan\":5e-1}}}"));
        assertNotEquals(fp("{\"seeds\":[1,2]}"), fp("{\"seeds\":[2,1]}"));
        assertNotEquals(fp("{\"seeds\":[1,null]}"), fp("{\"seeds\":[1]}"));
    }

    @Test
    void nullMembersAreDroppedAtEveryDepth() {
        assertEquals(fp("{\"a\":1,\"b\":{}}"), fp("{\"a\":1,\"n\":null,\"b\":{\"m\":null}}"));
    }

    @Test
    void aDefaultOmittedAndTheSameDefaultSpelledOutAreOneRequest() {
        var withDefaults =
                new ParameterFingerprint(Map.of("duration_s", json("5"), "fps", json("24"), "style", json("\"none\"")));
        String omitted = withDefaults.fingerprint(json("{\"model\":\"v2\"}"));
        assertEquals(omitted, withDefaults.fingerprint(json("{\"model\":\"v2\",\"duration_s\":5.0,\"fps\":24}")));
        assertEquals(omitted, withDefaults.fingerprint(json("{\"style\":\"none\",\"model\":\"v2\"}")));
        assertNotEquals(omitted, withDefaults.fingerprint(json("{\"model\":\"v2\",\"fps\":30}")));
        // without declared defaults, spelling one out is a different request
        assertNotEquals(
                NO_DEFAULTS.fingerprint(json("{\"model\":\"v2\"}")),
                NO_DEFAULTS.fingerprint(json("{\"model\":\"v2\",\"fps\":24}")));
    }

    @Test
    void differentValuesDiffer() {
        assertNotEquals(fp("{\"fps\":24}"), fp("{\"fps\":25}"));
        assertNotEquals(fp("{\"fps\":24}"), fp("{\"fps\":\"24\"}"));
        assertNotEquals(fp("{\"loop\":true}"), fp("{\"loop\":false}"));
        assertNotEquals(fp("{\"a\":{\"b\":1}}"), fp("{\"a\":{\"b\":1.5}}"));
        assertNotEquals(fp("{\"a\":1}"), fp("{\"b\":1}"));
    }

    @Test
    void stringsAndKeysAreComparedInNfc() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301)
        assertEquals(fp("{\"caf\\u00e9\":\"cr\\u00e8me\"}"), fp("{\"cafe\\u0301\":\"cre\\u0300me\"}"));
        assertThrows(IllegalArgumentException.class, () -> fp("{\"caf\\u00e9\":1,\"cafe\\u0301\":2}"));
        assertEquals("{\"q\":\"a\\\"b\\\\c\\u000a\"}", NO_DEFAULTS.canonicalJson(json("{\"q\":\"a\\\"b\\\\c\\n\"}")));
    }

    @Test
    void theFingerprintIsVersionedSha256Hex() {
        String fingerprint = fp("{}");
        assertTrue(fingerprint.matches("pf1:[0-9a-f]{64}"), fingerprint);
        // SHA-256 of "{}"
        assertEquals("pf1:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", fingerprint);
    }
}
