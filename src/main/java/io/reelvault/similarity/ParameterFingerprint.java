package io.reelvault.similarity;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.common.Sha256;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fingerprint of a generation's parameters: two requests are reuse candidates for each other
 * only when their fingerprints are equal, so the fingerprint must be equal exactly when the
 * parameters mean the same thing.
 *
 * <p>The parameters are first written in a canonical JSON form, then hashed:
 * <ul>
 * <li>object keys sorted recursively (by UTF-16 code units, as RFC 8785 does), no whitespace;
 * <li>every number in one form: its exact decimal value with trailing zeros stripped, written
 *     plainly ({@code 1}, {@code 1.0}, {@code 1e0} and {@code 10E-1} all become {@code 1};
 *     {@code -0} becomes {@code 0}); NaN and infinities are rejected, as are numbers whose plain
 *     form would need more than {@value #MAX_SCALE} digits around the decimal point, so that a
 *     nine-byte {@code 1e999999} cannot become a megabyte;
 * <li>strings and keys in Unicode NFC, so that composed and decomposed accents are one value
 *     (two keys that become equal under NFC are rejected); strings are escaped minimally
 *     ({@code "}, {@code \}, and control characters as {@code \}{@code u00XX});
 * <li>members whose value is {@code null} dropped at every depth, and top-level members equal to
 *     their declared default dropped, so that an omitted parameter and its default spelled out
 *     are the same request (the default is compared in canonical form: {@code 30.0} equals a
 *     default of {@code 30});
 * <li>arrays kept in order, {@code null} elements included (a position is meaningful).
 * </ul>
 * The fingerprint is {@value #VERSION}{@code :} followed by the hex SHA-256 of the canonical
 * form's UTF-8 bytes. The version changes whenever the canonical form does, so that entries
 * written under an older form never match.
 */
public final class ParameterFingerprint {
    /** Prefix of every fingerprint; bumped with any change of the canonical form. */
    public static final String VERSION = "pf1";
    /** Largest absolute scale accepted; covers every double (4.9e-324 has scale 340, 1.8e308 has -308). */
    static final int MAX_SCALE = 400;

    private final Map<String, String> canonicalDefaults = new TreeMap<>();

    /**
     * @param defaults declared default of each top-level parameter (keys as the caller spells
     *                 them; {@code null} or JSON-null defaults declare nothing)
     * @throws IllegalArgumentException if a default holds a number that cannot be canonicalised
     */
    public ParameterFingerprint(Map<String, JsonNode> defaults) {
        defaults.forEach((key, value) -> {
            if (value != null && !value.isNull()) {
                canonicalDefaults.put(nfc(key), canonical(value));
            }
        });
    }

    /**
     * {@value #VERSION}{@code :} and the hex SHA-256 of {@link #canonicalJson(JsonNode)}.
     *
     * @throws IllegalArgumentException as {@link #canonicalJson(JsonNode)}
     */
    public String fingerprint(JsonNode parameters) {
        return VERSION + ":" + Sha256.hex(canonicalJson(parameters));
    }

    /**
     * The fingerprint of a request whose answers are limited to one owner ({@code REELVAULT_CACHE_SCOPE=user}): the
     * same shape as {@link #fingerprint(JsonNode)}, so that the cache partitions entries and claims by owner without
     * knowing about owners; two owners never share one.
     */
    public static String scoped(String fingerprint, String owner) {
        return VERSION + ":" + Sha256.hex("owner\u0000" + owner + "\u0000" + fingerprint);
    }

    /**
     * The canonical form described above.
     *
     * @param parameters a JSON object
     * @throws IllegalArgumentException if {@code parameters} is not an object, or holds NaN, an
     *                                  infinity, an out-of-range number, a non-JSON node (binary,
     *                                  POJO) or two keys equal under NFC
     */
    public String canonicalJson(JsonNode parameters) {
        if (parameters == null || !parameters.isObject()) {
            throw new IllegalArgumentException("parameters must be a JSON object");
        }
        Map<String, String> members = sortedMembers(parameters);
        members.entrySet().removeIf(member -> member.getValue().equals(canonicalDefaults.get(member.getKey())));
        return writeObject(members);
    }

    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            return writeObject(sortedMembers(node));
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (JsonNode element : node) {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(canonical(element));
            }
            return out.append(']').toString();
        }
        if (node.isNumber()) {
            return number(node);
        }
        if (node.isTextual()) {
            return quote(nfc(node.textValue()));
        }
        if (node.isBoolean() || node.isNull()) {
            return node.asText();
        }
        throw new IllegalArgumentException("parameters hold a value that is not JSON: " + node.getNodeType());
    }

    private static Map<String, String> sortedMembers(JsonNode object) {
        Map<String, String> members = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isNull()) {
                continue;
            }
            String key = nfc(field.getKey());
            if (members.put(key, canonical(field.getValue())) != null) {
                throw new IllegalArgumentException("two parameter keys are equal under Unicode NFC: " + quote(key));
            }
        }
        return members;
    }

    private static String writeObject(Map<String, String> members) {
        StringBuilder out = new StringBuilder("{");
        members.forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(key)).append(':').append(value);
        });
        return out.append('}').toString();
    }

    private static String number(JsonNode node) {
        if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            throw new IllegalArgumentException("parameters hold a number that is not finite: " + node.asText());
        }
        BigDecimal exact = node.isFloat() ? new BigDecimal(Float.toString(node.floatValue())) : node.decimalValue();
        BigDecimal stripped = exact.stripTrailingZeros();
        if (stripped.signum() == 0) {
            return "0";
        }
        if (Math.abs(stripped.scale()) > MAX_SCALE) {
            throw new IllegalArgumentException("parameters hold a number out of range: " + node.asText());
        }
        return stripped.toPlainString();
    }

    private static String nfc(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
