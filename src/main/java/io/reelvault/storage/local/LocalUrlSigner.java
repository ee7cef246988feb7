package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signed URLs to the service's own {@code /storage/{key}}, in the manner of an S3 SigV4 presigned URL.
 * The signature covers the method, the key and every other query parameter (algorithm, expiry, key id, the bound
 * headers), each name and value percent-encoded, so that no parameter can be changed, added, dropped or folded into
 * another.
 *
 * <p>Query parameters, and nothing else: {@code X-Algorithm} ({@value #ALGORITHM}, the version of the form),
 * {@code X-Expires} (epoch seconds), {@code X-Key-Id} (which key signed), for GET optionally
 * {@code response-content-disposition} and {@code response-content-type} (response headers bound by the signature),
 * for PUT both {@code header-content-type} and {@code header-content-length} (the request must carry exactly
 * those), or for a multipart part's PUT ({@link #signPart}) {@code X-Upload-Id}, {@code X-Part-Number} and
 * {@code header-content-length} only, and {@code X-Signature} (base64url, no padding). The string signed:
 *
 * <pre>
 * REELVAULT2-HMAC-SHA256 \n METHOD \n key \n canonical-query
 * </pre>
 *
 * where canonical-query is every parameter but {@code X-Signature} as {@code pct(name)=pct(value)}, sorted by
 * {@code pct(name)}, joined with {@code &}; {@code pct} encodes every UTF-8 byte except {@code A-Z a-z 0-9 - . _ ~}
 * as {@code %XX} (upper-case hex), as SigV4 does. A URL's query is exactly its canonical query plus the signature.
 */
final class LocalUrlSigner implements SignedUrls, SignedUrlVerifier {
    static final String ALGORITHM = "REELVAULT2-HMAC-SHA256";
    static final String ALGORITHM_PARAM = "X-Algorithm";
    static final String EXPIRES = "X-Expires";
    static final String KEY_ID = "X-Key-Id";
    static final String SIGNATURE = "X-Signature";
    /** A part URL's: the local multipart upload's id ({@link LocalMultipart}). */
    static final String UPLOAD_ID = "X-Upload-Id";
    /** A part URL's: the part's number, 1 to 10,000, without leading zeros. */
    static final String PART_NUMBER = "X-Part-Number";

    private static final String RESPONSE_PREFIX = "response-";
    private static final String REQUEST_PREFIX = "header-";
    /** Response headers a GET URL may bind. */
    private static final Set<String> RESPONSE_HEADERS = Set.of("content-disposition", "content-type");
    /** Request headers a PUT URL binds, both always. */
    private static final Set<String> REQUEST_HEADERS = Set.of("content-type", "content-length");

    private static final String MAC = "HmacSHA256";

    private final SigningKeys keys;
    /** Per key id, each thread's own initialised {@link Mac}: not looked up and keyed again for every signature. */
    private final Map<String, ThreadLocal<Mac>> macKeys = new HashMap<>();

    private final Supplier<URI> baseUrl;
    /** The last base URL's {@code /storage/} prefix (racy but idempotent: any thread may remake it). */
    private volatile StorageBase storageBase;

    private final Clock clock;

    /** One key, id {@value SigningKeys#DEFAULT_ID}: @param secret at least 32 bytes */
    LocalUrlSigner(byte[] secret, URI baseUrl, Clock clock) {
        this(SigningKeys.single(secret), baseUrl, clock);
    }

    /** @param baseUrl the public base URL, e.g. {@code https://vault.example.com} */
    LocalUrlSigner(SigningKeys keys, URI baseUrl, Clock clock) {
        this(keys, () -> baseUrl, clock);
    }

    /** @param baseUrl the public base URL, read for each URL signed ({@code PublicBaseUrl}: port 0 is the listening port) */
    LocalUrlSigner(SigningKeys keys, Supplier<URI> baseUrl, Clock clock) {
        this.keys = keys;
        keys.secrets().forEach((id, secret) -> macKeys.put(id, macOf(new SecretKeySpec(secret, MAC))));
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    @Override
    public SignedUrl sign(String method, ObjectKey objectKey, Duration expiresIn, Map<String, String> headers) {
        boolean put = "PUT".equals(method);
        if (!put && !"GET".equals(method)) {
            throw new IllegalArgumentException("signed URLs are for GET or PUT");
        }
        Map<String, String> params = new HashMap<>();
        params.put(ALGORITHM_PARAM, ALGORITHM);
        params.put(EXPIRES, Long.toString(clock.instant().plus(expiresIn).getEpochSecond()));
        params.put(KEY_ID, keys.currentId());
        Set<String> allowed = put ? REQUEST_HEADERS : RESPONSE_HEADERS;
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!allowed.contains(lower)) {
                throw new IllegalArgumentException(method + " URLs cannot bind the header " + name);
            }
            params.put((put ? REQUEST_PREFIX : RESPONSE_PREFIX) + lower, value);
        });
        if (put && !REQUEST_HEADERS.stream().allMatch(h -> params.containsKey(REQUEST_PREFIX + h))) {
            throw new IllegalArgumentException("a PUT URL binds both Content-Type and Content-Length");
        }
        String query = canonicalQuery(params);
        String signature = mac(macKeys.get(keys.currentId()), method, objectKey, query);
        // the key's characters are all URL-safe (ObjectKey), the query is percent-encoded: no parse needed
        String url = storageBase() + objectKey.value() + "?" + query + "&" + SIGNATURE + "=" + signature;
        Map<String, String> required = put
                ? Map.of(
                        "Content-Type",
                        headers.entrySet().stream()
                                .filter(e -> e.getKey().equalsIgnoreCase("Content-Type"))
                                .findFirst()
                                .orElseThrow()
                                .getValue())
                : Map.of();
        return new SignedUrl(url, expiresIn, required);
    }

    /** {@code {base URL}/storage/}, remade only when the base URL changes (a port learned after start-up). */
    private String storageBase() {
        URI base = baseUrl.get();
        StorageBase cached = storageBase;
        if (cached == null || cached.base() != base) {
            String text = base.toString();
            cached = new StorageBase(
                    base, (text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/storage/");
            storageBase = cached;
        }
        return cached.prefix();
    }

    private record StorageBase(URI base, String prefix) {}

    /**
     * A PUT URL for part {@code number} of the local multipart upload {@code uploadId} that becomes {@code key}, bound
     * to exactly {@code length} bytes; no Content-Type is bound (a browser sends a slice of a file without one).
     */
    SignedUrl signPart(ObjectKey objectKey, String uploadId, int number, long length, Duration expiresIn) {
        Map<String, String> params = new HashMap<>();
        params.put(ALGORITHM_PARAM, ALGORITHM);
        params.put(EXPIRES, Long.toString(clock.instant().plus(expiresIn).getEpochSecond()));
        params.put(KEY_ID, keys.currentId());
        params.put(UPLOAD_ID, uploadId);
        params.put(PART_NUMBER, Integer.toString(number));
        params.put(REQUEST_PREFIX + "content-length", Long.toString(length));
        String query = canonicalQuery(params);
        String signature = mac(macKeys.get(keys.currentId()), "PUT", objectKey, query);
        String url = storageBase() + objectKey.value() + "?" + query + "&" + SIGNATURE + "=" + signature;
        return new SignedUrl(url, expiresIn, Map.of());
    }

    @Override
    public Map<String, String> verify(String method, ObjectKey objectKey, Map<String, String> query) {
        String signMethod = "HEAD".equals(method) ? "GET" : method;
        boolean put = "PUT".equals(signMethod);
        // the names first: exactly the known ones, each required one present
        Map<String, String> headers = new TreeMap<>();
        boolean part = put && (query.containsKey(PART_NUMBER) || query.containsKey(UPLOAD_ID));
        for (String name : query.keySet()) {
            switch (name) {
                case ALGORITHM_PARAM, EXPIRES, KEY_ID, SIGNATURE -> {}
                case UPLOAD_ID, PART_NUMBER -> {
                    if (!put) {
                        throw invalid();
                    }
                }
                default -> {
                    String prefix = put ? REQUEST_PREFIX : RESPONSE_PREFIX;
                    String header = name.startsWith(prefix) ? name.substring(prefix.length()) : null;
                    if (header == null || !(put ? REQUEST_HEADERS : RESPONSE_HEADERS).contains(header)) {
                        throw invalid();
                    }
                    headers.put(header, query.get(name));
                }
            }
        }
        String given = query.get(SIGNATURE);
        String expiresText = query.get(EXPIRES);
        if (given == null
                || expiresText == null
                || !ALGORITHM.equals(query.get(ALGORITHM_PARAM))
                || (put && !part && headers.size() != REQUEST_HEADERS.size())
                || (part
                        && (!query.containsKey(UPLOAD_ID)
                                || !query.containsKey(PART_NUMBER)
                                || headers.size() != 1
                                || !headers.containsKey("content-length")))) {
            throw invalid();
        }
        ThreadLocal<Mac> key = query.get(KEY_ID) == null ? null : macKeys.get(query.get(KEY_ID));
        if (key == null) {
            throw invalid(); // no key id, or a key this replica does not (or no longer) hold
        }
        Map<String, String> signed = new HashMap<>(query);
        signed.remove(SIGNATURE);
        byte[] expected =
                mac(key, signMethod, objectKey, canonicalQuery(signed)).getBytes(StandardCharsets.US_ASCII);
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
        if (put && !headers.get("content-length").matches("[0-9]{1,18}")) {
            throw invalid(); // never signed so: the signer binds the length the presign promised
        }
        if (part) {
            headers.put(SignedUrlVerifier.UPLOAD_ID, query.get(UPLOAD_ID));
            headers.put(SignedUrlVerifier.PART_NUMBER, query.get(PART_NUMBER));
        }
        return headers;
    }

    /** Every parameter as {@code pct(name)=pct(value)}, sorted by encoded name, joined with {@code &}. */
    static String canonicalQuery(Map<String, String> params) {
        TreeMap<String, String> encoded = new TreeMap<>();
        params.forEach((name, value) -> encoded.put(encode(name), encode(value)));
        StringBuilder query = new StringBuilder(160);
        encoded.forEach((name, value) -> {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(name).append('=').append(value);
        });
        return query.toString();
    }

    private static String mac(ThreadLocal<Mac> key, String method, ObjectKey objectKey, String canonicalQuery) {
        String toSign = ALGORITHM + "\n" + method + "\n" + objectKey.value() + "\n" + canonicalQuery;
        // doFinal resets the Mac to its key: the thread's next signature starts clean
        byte[] sig = key.get().doFinal(toSign.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    /** A {@link Mac} keyed with {@code key} for each thread, made on the thread's first use. */
    private static ThreadLocal<Mac> macOf(SecretKeySpec key) {
        newMac(key); // fails here, at construction, if HMAC-SHA256 or the key is unusable
        return ThreadLocal.withInitial(() -> newMac(key));
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /** RFC 3986 percent-encoding of the UTF-8 bytes: only {@code A-Z a-z 0-9 - . _ ~} stay as they are. */
    static String encode(String s) {
        if (unreserved(s)) {
            return s; // the common case: names, the algorithm, numbers, key ids
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean unreserved(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~')) {
                return false;
            }
        }
        return true;
    }

    private static ReelvaultException invalid() {
        return new ReelvaultException(ErrorCode.SIGNATURE_INVALID, "the URL's signature does not match");
    }
}
