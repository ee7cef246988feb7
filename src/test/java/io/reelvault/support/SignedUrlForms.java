package io.reelvault.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The local backend's signed-URL form as the README documents it, written again from the README and not from the
 * signer, so that a test can sign what the service never would (an unknown parameter, a missing one) and show that
 * the refusal comes from the check of names, not from a wrong signature.
 */
public final class SignedUrlForms {
    public static final String ALGORITHM = "REELVAULT2-HMAC-SHA256";
    /** The signing key of the test profile ({@code %test} in application.properties), key id 1. */
    public static final String TEST_KEY = "test-signing-key-0123456789abcdef-not-secret";

    private SignedUrlForms() {}

    /** {@code X-Algorithm}, {@code X-Expires}, {@code X-Key-Id}: what every URL carries besides its signature. */
    public static Map<String, String> baseParams(String keyId, long expiresEpochSecond) {
        return Map.of("X-Algorithm", ALGORITHM, "X-Expires", Long.toString(expiresEpochSecond), "X-Key-Id", keyId);
    }

    /** RFC 3986: every byte of the UTF-8 form but {@code A-Z a-z 0-9 - . _ ~} as {@code %XX}, upper-case hex. */
    public static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** Each parameter as {@code encode(name)=encode(value)}, sorted by encoded name, joined with {@code &}. */
    public static String canonicalQuery(Map<String, String> params) {
        TreeMap<String, String> encoded = new TreeMap<>();
        params.forEach((k, v) -> encoded.put(encode(k), encode(v)));
        return encoded.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
    }

    public static String stringToSign(String method, String key, Map<String, String> params) {
        return ALGORITHM + "\n" + method + "\n" + key + "\n" + canonicalQuery(params);
    }

    public static String signature(String secret, String method, String key, Map<String, String> params) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                            mac.doFinal(stringToSign(method, key, params).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A URL to {@code baseUrl/storage/key} with {@code params} and their signature under {@code secret}. */
    public static String url(String baseUrl, String secret, String method, String key, Map<String, String> params) {
        return baseUrl + "/storage/" + key + "?" + canonicalQuery(params) + "&X-Signature="
                + signature(secret, method, key, params);
    }

    /** A GET of a signed URL exactly as given: its query is not encoded again. */
    public static ValidatableResponse get(String url) {
        return given().urlEncodingEnabled(false).get(URI.create(url)).then();
    }
}
