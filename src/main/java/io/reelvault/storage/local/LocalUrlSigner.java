package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signed URLs to the service's own {@code /storage/{key}}, in the manner of Rails Active
 * Storage's disk service. The signature covers the method, the key, the expiry and every other
 * query parameter (the bound response headers), so none of them can be changed.
 *
 * <p>Query parameters: {@code X-Expires} (epoch seconds), {@code response-*} (bound response
 * headers, e.g. {@code response-content-disposition}) and {@code X-Signature} (base64url).
 */
final class LocalUrlSigner implements SignedUrls, SignedUrlVerifier {
    static final String EXPIRES = "X-Expires";
    static final String SIGNATURE = "X-Signature";
    private static final String RESPONSE_PREFIX = "response-";
    private static final String REQUEST_PREFIX = "header-";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final URI baseUrl;
    private final Clock clock;

    /** @param secret at least 32 bytes; @param baseUrl the public base URL, e.g. {@code https://vault.example.com} */
    LocalUrlSigner(byte[] secret, URI baseUrl, Clock clock) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the signing key must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret, ALGORITHM);
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.clock = clock;
    }

    @Override
    public SignedUrl sign(String method, ObjectKey objectKey, Duration expiresIn, Map<String, String> headers) {
        long expires = clock.instant().plus(expiresIn).getEpochSecond();
        TreeMap<String, String> params = new TreeMap<>();
        params.put(EXPIRES, Long.toString(expires));
        String prefix = "PUT".equals(method) ? REQUEST_PREFIX : RESPONSE_PREFIX;
        headers.forEach((name, value) -> params.put(prefix + name.toLowerCase(Locale.ROOT), value));
        String signature = mac(method, objectKey, params);
        StringBuilder url = new StringBuilder(baseUrl.toString()).append("/storage/").append(objectKey.value()).append('?');
        params.forEach((k, v) -> url.append(encode(k)).append('=').append(encode(v)).append('&'));
        url.append(SIGNATURE).append('=').append(signature);
        Map<String, String> required = "PUT".equals(method) && headers.containsKey("Content-Type")
                ? Map.of("Content-Type", headers.get("Content-Type")) : Map.of();
        return new SignedUrl(URI.create(url.toString()), expiresIn, required);
    }

    @Override
    public Map<String, String> verify(String method, ObjectKey objectKey, Map<String, String> query) {
        String given = query.get(SIGNATURE);
        String expiresText = query.get(EXPIRES);
        if (given == null || expiresText == null) {
            throw invalid();
        }
        TreeMap<String, String> params = new TreeMap<>(query);
        params.remove(SIGNATURE);
        String signMethod = "HEAD".equals(method) ? "GET" : method;
        byte[] expected = mac(signMethod, objectKey, params).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII))) {
            throw invalid();
        }
        long expires;
        try {
            expires = Long.parseLong(expiresText);
        } catch (NumberFormatException e) {
            throw invalid();
        }
        if (clock.instant().isAfter(Instant.ofEpochSecond(expires))) {
            throw new ReelvaultException(ErrorCode.SIGNATURE_EXPIRED, "this signed URL has expired; ask for a new one");
        }
        TreeMap<String, String> headers = new TreeMap<>();
        params.forEach((k, v) -> {
            String prefix = "PUT".equals(signMethod) ? REQUEST_PREFIX : RESPONSE_PREFIX;
            if (k.startsWith(prefix)) {
                headers.put(k.substring(prefix.length()), v);
            }
        });
        return headers;
    }

    private String mac(String method, ObjectKey objectKey, TreeMap<String, String> params) {
        StringBuilder toSign = new StringBuilder("REELVAULT-HMAC-SHA256\n")
                .append(method).append('\n').append(objectKey.value()).append('\n');
        params.forEach((k, v) -> toSign.append(k).append('=').append(v).append('\n'));
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] sig = mac.doFinal(toSign.toString().getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ReelvaultException invalid() {
        return new ReelvaultException(ErrorCode.SIGNATURE_INVALID, "the URL's signature does not match");
    }
}
