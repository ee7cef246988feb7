package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.fuzz.Hostile;
import io.reelvault.model.ContentDisposition;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import io.reelvault.storage.local.LocalObjectStore;
import io.reelvault.support.LocalRoots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based fuzzing of signed-URL query strings, as {@code /storage/{key}} reads them: the local backend's
 * signer and verifier ({@code LocalUrlSigner}, reached through the store's capabilities) and
 * {@link StorageRoutes#query(String)}'s strict parsing. A signed URL's query parses back to exactly what was signed;
 * a mutation that changes any parameter (duplicated, dropped, added, emptied, renamed, case-folded, a value edited)
 * is refused with {@code signature_invalid}, one that only re-orders or re-encodes is still accepted; and no query at
 * all makes either throw anything but {@code signature_invalid} / {@code signature_expired}. 2,000 to 10,000 cases.
 */
class SignedQueryFuzzProperties {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static Path root;
    private static LocalObjectStore store;
    private final SignedUrls signer;
    private final SignedUrlVerifier verifier;

    SignedQueryFuzzProperties() throws Exception {
        synchronized (SignedQueryFuzzProperties.class) {
            if (store == null) {
                root = Files.createTempDirectory("fuzz-signed");
                store = LocalRoots.open(root, Runnable::run, Clock.fixed(NOW, ZoneOffset.UTC));
            }
        }
        signer = store.capability(SignedUrls.class).orElseThrow();
        verifier = store.capability(SignedUrlVerifier.class).orElseThrow();
    }

    @AfterContainer
    static void removeRoot() throws Exception {
        if (root != null) {
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What is signed: a method, a key and the headers it binds. */
    record Signed(String method, ObjectKey key, Map<String, String> headers) {
        Map<String, String> expectedBound() {
            Map<String, String> lower = new TreeMap<>();
            headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
            return lower;
        }
    }

    @Provide
    Arbitrary<Signed> signed() {
        Arbitrary<ObjectKey> keys = Hostile.validKey().map(ObjectKey::parse);
        Arbitrary<String> types = Arbitraries.of(
                "image/png",
                "video/mp4",
                "audio/mpeg",
                "application/octet-stream",
                "image/png; charset=x",
                "text/plain;a=\"b c\"");
        Arbitrary<Map<String, String>> get = Combinators.combine(
                        Arbitraries.of(true, false), Arbitraries.of(true, false), Hostile.fileNameLike(), types)
                .as((disposition, type, name, t) -> {
                    Map<String, String> h = new LinkedHashMap<>();
                    if (disposition) {
                        h.put("Content-Disposition", ContentDisposition.attachment(name));
                    }
                    if (type) {
                        h.put("Content-Type", t);
                    }
                    return h;
                });
        Arbitrary<Map<String, String>> put = Combinators.combine(
                        types, Arbitraries.longs().between(0, 999_999_999_999_999_999L))
                .as((t, n) -> Map.of("Content-Type", t, "Content-Length", Long.toString(n)));
        return Arbitraries.oneOf(
                Combinators.combine(keys, get).as((k, h) -> new Signed("GET", k, h)),
                Combinators.combine(keys, put).as((k, h) -> new Signed("PUT", k, h)));
    }

    @Property(tries = 2_000, edgeCases = EdgeCasesMode.NONE)
    void aSignedQueryParsesBackToWhatWasSigned(@ForAll("signed") Signed s) {
        String raw = sign(s);
        assertEquals(s.expectedBound(), verifier.verify(s.method(), s.key(), StorageRoutes.query(raw)), raw);
        if (s.method().equals("GET")) {
            assertEquals(
                    s.expectedBound(), verifier.verify("HEAD", s.key(), StorageRoutes.query(raw)), "HEAD reads as GET");
        }
    }

    /** How a mutation changes a signed query, and whether the verifier must still accept it. */
    enum Mutation {
        DUPLICATE(false),
        DUPLICATE_OTHER_VALUE(false),
        DROP(false),
        ADD(false),
        EDIT_VALUE(false),
        EMPTY_VALUE(false),
        RENAME_CASE(false),
        EMPTY_PAIR(false),
        NO_EQUALS(false),
        OTHER_METHOD(false),
        OTHER_KEY(false),
        REORDER(true),
        PERCENT_ENCODE_UNRESERVED(true),
        LOWER_CASE_HEX(true);

        final boolean stillValid;

        Mutation(boolean stillValid) {
            this.stillValid = stillValid;
        }
    }

    record Mutated(Signed signed, Mutation mutation, int at, String fragment, long seed) {}

    @Provide
    Arbitrary<Mutated> mutated() {
        Arbitrary<String> noise = Arbitraries.oneOf(
                Hostile.fragment(),
                Hostile.number(),
                Hostile.safe(8),
                Arbitraries.of(
                        "X-Signature",
                        "X-Expires",
                        "X-Key-Id",
                        "X-Algorithm",
                        "response-content-type",
                        "header-content-length",
                        "x-signature",
                        "X-Signature ",
                        "X-Signature%00"));
        return Combinators.combine(
                        signed(),
                        Arbitraries.of(Mutation.class),
                        Arbitraries.integers().between(0, 1000),
                        noise,
                        Arbitraries.longs())
                .as(Mutated::new);
    }

    @Property(tries = 10_000, edgeCases = EdgeCasesMode.NONE)
    void aChangedParameterIsRefusedAReencodedOneIsNot(@ForAll("mutated") Mutated m) {
        Signed s = m.signed();
        Target t = mutate(new Target(s.method(), s.key(), sign(s)), m);
        Statistics.collect(m.mutation());
        try {
            Map<String, String> bound = verifier.verify(t.method(), t.key(), StorageRoutes.query(t.rawQuery()));
            if (!m.mutation().stillValid) {
                fail(m.mutation() + " accepted: " + t);
            }
            assertEquals(s.expectedBound(), bound);
        } catch (ReelvaultException e) {
            assertEquals(ErrorCode.SIGNATURE_INVALID, e.code(), t.toString());
            if (m.mutation().stillValid) {
                fail(m.mutation() + " refused: " + t);
            }
        }
    }

    /** A request to {@code /storage/{key}}: its method, key and raw query. */
    record Target(String method, ObjectKey key, String rawQuery) {}

    /** {@code t} changed as {@code m} says (its {@code signed} is not used: FuzzApiTest mutates real URLs with it). */
    static Target mutate(Target t, Mutated m) {
        List<String> pairs = new ArrayList<>(List.of(t.rawQuery().split("&")));
        int i = m.at() % pairs.size();
        String pair = pairs.get(i);
        String name = pair.substring(0, pair.indexOf('='));
        String value = pair.substring(pair.indexOf('=') + 1);
        String method = t.method();
        ObjectKey key = t.key();
        switch (m.mutation()) {
            case DUPLICATE -> pairs.add(m.at() % (pairs.size() + 1), pair);
            case DUPLICATE_OTHER_VALUE -> pairs.add(name + "=" + value + "0");
            case DROP -> pairs.remove(i);
            case ADD ->
                pairs.add(
                        m.at() % (pairs.size() + 1),
                        LocalEncoding.encode(m.fragment()) + "=" + LocalEncoding.encode(m.fragment()));
            case EDIT_VALUE -> pairs.set(i, name + "=" + edit(value, LocalEncoding.encode(m.fragment()), m.at()));
            case EMPTY_VALUE -> pairs.set(i, name + "=");
            case RENAME_CASE -> pairs.set(i, flipCase(name) + "=" + value);
            case EMPTY_PAIR -> pairs.add(m.at() % (pairs.size() + 1), "");
            case NO_EQUALS -> pairs.set(i, name + value);
            case OTHER_METHOD -> method = method.equals("GET") ? "PUT" : "GET";
            case OTHER_KEY -> key = ObjectKey.parse(key.value() + "x");
            case REORDER -> Collections.shuffle(pairs, new Random(m.seed()));
            case PERCENT_ENCODE_UNRESERVED -> pairs.set(i, name + "=" + encodeOne(value, m.at()));
            case LOWER_CASE_HEX -> pairs.set(i, name + "=" + lowerHex(value));
        }
        return new Target(method, key, String.join("&", pairs));
    }

    @Provide
    Arbitrary<String> anyQuery() {
        Arbitrary<String> part = Arbitraries.oneOf(
                Hostile.fragment(),
                Hostile.number(),
                Hostile.safe(10),
                Arbitraries.of(
                        "X-Signature=",
                        "X-Expires=",
                        "X-Key-Id=1",
                        "X-Algorithm=REELVAULT2-HMAC-SHA256",
                        "=",
                        "&",
                        "response-content-type=",
                        "header-content-length=",
                        "header-content-type="));
        return Arbitraries.oneOf(part.list().ofMaxSize(12).map(l -> String.join("", l)), Hostile.anyText());
    }

    @Property(tries = 5_000, edgeCases = EdgeCasesMode.NONE)
    void noQueryThrowsAnythingButSignatureErrors(@ForAll("anyQuery") String raw, @ForAll("signed") Signed s) {
        try {
            verifier.verify(s.method(), s.key(), StorageRoutes.query(raw));
            fail("accepted " + raw);
        } catch (ReelvaultException e) {
            assertTrue(
                    Set.of(ErrorCode.SIGNATURE_INVALID, ErrorCode.SIGNATURE_EXPIRED)
                            .contains(e.code()),
                    raw);
        }
    }

    private String sign(Signed s) {
        return signer.sign(s.method(), s.key(), Duration.ofMinutes(15), s.headers())
                .url()
                .getRawQuery();
    }

    private static String edit(String value, String fragment, int at) {
        int i = at % (value.length() + 1);
        String edited = value.substring(0, i) + fragment + value.substring(i);
        return edited.equals(value) ? value + "x" : edited;
    }

    private static String flipCase(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.equals(name) ? name.toLowerCase(Locale.ROOT) : upper;
    }

    /** One unreserved character of the value as {@code %XX}: the same value, encoded otherwise. */
    private static String encodeOne(String value, int at) {
        for (int k = 0; k < value.length(); k++) {
            int j = (at + k) % value.length();
            char c = value.charAt(j);
            boolean inEscape = j >= 1 && value.charAt(j - 1) == '%' || j >= 2 && value.charAt(j - 2) == '%';
            if (Character.isLetterOrDigit(c) && c < 0x80 && !inEscape) {
                return value.substring(0, j) + String.format("%%%02X", (int) c) + value.substring(j + 1);
            }
        }
        return value;
    }

    private static String lowerHex(String value) {
        StringBuilder out = new StringBuilder(value);
        for (int k = 0; k + 2 < out.length(); k++) {
            if (out.charAt(k) == '%') {
                out.setCharAt(k + 1, Character.toLowerCase(out.charAt(k + 1)));
                out.setCharAt(k + 2, Character.toLowerCase(out.charAt(k + 2)));
            }
        }
        return out.toString();
    }

    /** RFC 3986 encoding, as the signer does it (its own method is package-private in storage.local). */
    static final class LocalEncoding {
        static String encode(String s) {
            StringBuilder out = new StringBuilder();
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
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
                    out.append(String.format("%%%02X", c));
                }
            }
            return out.toString();
        }
    }
}
