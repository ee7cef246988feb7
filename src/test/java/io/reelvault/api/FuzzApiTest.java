package io.reelvault.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.error.ErrorCode;
import io.reelvault.fuzz.Hostile;
import io.reelvault.model.ByteRange;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.ResolvedRange;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.RawHttp;
import io.reelvault.support.Samples;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.engine.SourceOfRandomness;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing over HTTP, against the running app (the default test profile, local backend): hostile ids, keys and names in
 * every path, Range headers on signed downloads, mutated signed-URL query strings, multipart bodies with odd
 * boundaries and parts, and JSON bodies of every shape. The cases come from the jqwik generators of
 * {@link Hostile}, drawn with a fixed seed ({@code -Dfuzz.seed} to change it, {@code -Dfuzz.cases} for more cases),
 * and go out over one kept-alive raw connection ({@link RawHttp}). Properties, for every answer: never a 5xx; every
 * error is {@code application/problem+json} whose {@code code} is in {@link ErrorCode}'s catalog with its status; no
 * request reads, changes or creates a file outside the storage root (a sentinel file beside the root stays as it is).
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzApiTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261203L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 1000);
    /** The path fuzz spreads its cases over 27 routes: half as many again. */
    private static final int PATH_CASES = CASES * 3 / 2;

    private static final Path ROOT = TestStorageRoot.path().toAbsolutePath();
    /** Where traversal out of the root would land: it must stay unread and unchanged. */
    private static final Path SENTINEL = ROOT.resolveSibling("fuzz-sentinel.png");

    private static final byte[] SENTINEL_BYTES = Samples.png(777);
    private static final Set<String> CODES =
            Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toSet());
    private static final String USER = "fuzz-user";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private final ObjectMapper json = new ObjectMapper();
    private final String pipeline = "Bearer " + TestTokens.pipeline("fuzz-pipeline");
    private final String user = "Bearer " + TestTokens.user(USER);
    private RawHttp http;

    @BeforeAll
    void open() throws IOException {
        http = new RawHttp("localhost", port);
        Files.createDirectories(ROOT);
        Files.write(SENTINEL, SENTINEL_BYTES);
    }

    @AfterAll
    void close() throws IOException {
        // the downloads' uploads, and any the fuzzing made: the fuzz user's uploads go with it
        RawAnswer page = http.exchange(
                RawHttp.request(
                        "GET",
                        "/api/v1/uploads?limit=1000".getBytes(StandardCharsets.US_ASCII),
                        Map.of("Authorization", user),
                        null),
                false);
        for (JsonNode upload : json.readTree(page.body()).path("items")) {
            http.exchange(
                    RawHttp.request(
                            "DELETE",
                            ("/api/v1/uploads/" + upload.path("upload_id").asText())
                                    .getBytes(StandardCharsets.US_ASCII),
                            Map.of("Authorization", user),
                            null),
                    false);
        }
        http.close();
        assertArrayEquals(SENTINEL_BYTES, Files.readAllBytes(SENTINEL), "the sentinel beside the root is unchanged");
        Files.delete(SENTINEL);
    }

    /**
     * {@code n} values of a jqwik generator, drawn with a seed of their own (so one property's count leaves the others
     * be). Outside jqwik's engine only its sampling runs (generators are memoized per property), and it draws from
     * the engine's thread-local source of randomness: seeded here, so every run sends the same cases.
     */
    static <T> List<T> draw(Arbitrary<T> arbitrary, int n, long salt) {
        SourceOfRandomness.create(Long.toString(SEED * 31 + salt));
        return arbitrary.withoutEdgeCases().sampleStream().limit(n).toList(); // hostile edges are in the generators
    }

    /** One request of the path-fuzz: a method and a template whose {@code {}} takes the hostile value. */
    record Route(String method, String template, Arbitrary<String> values, String token, byte[] body, String type) {}

    private List<Route> routes() {
        byte[] mp4 = Samples.mp4(200);
        byte[] png = Samples.png(200);
        byte[] failJson = "{\"reason\":\"fuzz\"}".getBytes(StandardCharsets.UTF_8);
        return List.of(
                new Route("GET", "/api/v1/uploads/{}", Hostile.datedIdLike("upload"), user, null, null),
                new Route("GET", "/api/v1/uploads/{}/url", Hostile.datedIdLike("upload"), user, null, null),
                new Route("DELETE", "/api/v1/uploads/{}", Hostile.datedIdLike("upload"), user, null, null),
                new Route("POST", "/api/v1/uploads/{}/complete", Hostile.datedIdLike("upload"), user, null, null),
                new Route("GET", "/api/v1/uploads?after={}", Hostile.datedIdLike("upload"), user, null, null),
                new Route("GET", "/api/v1/uploads?limit={}", Hostile.number(), user, null, null),
                new Route("POST", "/api/v1/uploads?filename={}", Hostile.fileNameLike(), user, png, "image/png"),
                new Route("GET", "/api/v1/generations/{}", Hostile.datedIdLike("gen"), pipeline, null, null),
                new Route(
                        "PUT",
                        "/api/v1/generations/{}/clips/1",
                        Hostile.datedIdLike("gen"),
                        pipeline,
                        mp4,
                        "video/mp4"),
                new Route(
                        "PUT",
                        "/api/v1/generations/gen_20261203_abcdefghijkl/clips/{}",
                        Hostile.clipNumberLike(),
                        pipeline,
                        mp4,
                        "video/mp4"),
                new Route(
                        "PUT",
                        "/api/v1/generations/{}/thumbnails/1",
                        Hostile.datedIdLike("gen"),
                        pipeline,
                        png,
                        "image/png"),
                new Route(
                        "POST",
                        "/api/v1/generations/{}/fail",
                        Hostile.datedIdLike("gen"),
                        pipeline,
                        failJson,
                        "application/json"),
                new Route("POST", "/api/v1/generations/{}/complete", Hostile.datedIdLike("gen"), pipeline, null, null),
                new Route("DELETE", "/api/v1/generations/{}", Hostile.datedIdLike("gen"), pipeline, null, null),
                new Route("GET", "/api/v1/generations?user_id={}", Hostile.nameLike(), pipeline, null, null),
                new Route("GET", "/api/v1/generations?since={}", Hostile.number(), pipeline, null, null),
                new Route("GET", "/api/v1/compositions/{}", Hostile.datedIdLike("comp"), pipeline, null, null),
                new Route("GET", "/api/v1/compositions/{}/download", Hostile.datedIdLike("comp"), pipeline, null, null),
                new Route(
                        "PUT",
                        "/api/v1/compositions/{}/final",
                        Hostile.datedIdLike("comp"),
                        pipeline,
                        mp4,
                        "video/mp4"),
                new Route(
                        "GET",
                        "/api/v1/compositions?generation_id={}",
                        Hostile.datedIdLike("gen"),
                        pipeline,
                        null,
                        null),
                new Route(
                        "PUT", "/api/v1/temp/{}/x.tmp", Hostile.nameLike(), pipeline, png, "application/octet-stream"),
                new Route("PUT", "/api/v1/temp/fuzz-job/{}", Hostile.tempNameLike(), pipeline, mp4, "video/mp4"),
                new Route("GET", "/api/v1/temp/fuzz-job/{}/url", Hostile.tempNameLike(), pipeline, null, null),
                new Route("DELETE", "/api/v1/temp/{}", Hostile.nameLike(), pipeline, null, null),
                new Route(
                        "GET",
                        "/storage/{}?X-Algorithm=REELVAULT2-HMAC-SHA256&X-Expires=9999999999&X-Key-Id=1&X-Signature=x",
                        Hostile.keyLike(),
                        null,
                        null,
                        null),
                new Route("PUT", "/storage/{}", Hostile.keyLike(), null, png, "image/png"),
                new Route("GET", "/{}", Hostile.keyLike(), pipeline, null, null));
    }

    /** How a hostile value is put into a request target. */
    enum Encoding {
        PERCENT_ALL,
        PERCENT_UNSAFE,
        RAW_UTF8,
        RAW_LATIN1
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void hostileValuesInPathsAndQueries() throws IOException {
        List<Route> routes = routes();
        List<Integer> which = draw(Arbitraries.integers().between(0, routes.size() - 1), PATH_CASES, 1);
        List<Encoding> encodings = draw(Arbitraries.of(Encoding.class), PATH_CASES, 2);
        Map<Integer, Integer> statuses = new HashMap<>();
        int bareRefusals = 0;
        Set<String> beside = besideTheRoot();
        List<Iterator<String>> values = new ArrayList<>();
        for (int k = 0; k < routes.size(); k++) {
            values.add(draw(routes.get(k).values(), Collections.frequency(which, k), 1000L + k)
                    .iterator());
        }
        for (int i = 0; i < PATH_CASES; i++) {
            Route route = routes.get(which.get(i));
            String value = values.get(which.get(i)).next();
            byte[] target = target(route.template(), value, encodings.get(i));
            Map<String, String> headers = new LinkedHashMap<>();
            if (route.token() != null) {
                headers.put("Authorization", route.token());
            }
            if (route.type() != null) {
                headers.put("Content-Type", route.type());
            }
            RawAnswer r = http.exchange(RawHttp.request(route.method(), target, headers, route.body()), false);
            String context = route.method() + " " + new String(target, StandardCharsets.ISO_8859_1);
            statuses.merge(r.status(), 1, Integer::sum);
            if (r.status() == 400 && !validUri(target)) {
                // refused by Quarkus' HTTP layer before any route runs (a bare 400, see README): nothing of ours ran
                assertEquals(0, r.body().length, context);
                bareRefusals++;
                continue;
            }
            assertWellFormed(r, context);
            assertFalse(Arrays.equals(SENTINEL_BYTES, r.body()), context);
            undo(r, route.token());
        }
        assertEquals(beside, besideTheRoot(), "nothing was created beside the storage root");
        System.out.printf(
                "fuzz: %d hostile paths and queries, seed %d, statuses %s (%d bare 400s for targets that are"
                        + " no URI), %d connection(s)%n",
                PATH_CASES, SEED, statuses, bareRefusals, http.connections());
    }

    /** The names in the storage root's parent folder: traversal out of the root would add one. */
    private static Set<String> besideTheRoot() throws IOException {
        try (Stream<Path> names = Files.list(ROOT.getParent())) {
            return names.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /**
     * Deletes what a fuzz case happened to create (an upload, a generation, a composition, a job's temp files), so
     * that other tests sharing the storage root do not see it.
     */
    private void undo(RawAnswer r, String token) throws IOException {
        if ((r.status() != 200 && r.status() != 201) || token == null) {
            return;
        }
        JsonNode created;
        try {
            created = json.readTree(r.body());
        } catch (IOException notJson) {
            return; // a download
        }
        String path = null;
        if (r.status() == 201 && created.hasNonNull("upload_id")) {
            path = "/api/v1/uploads/" + created.get("upload_id").asText();
        } else if (r.status() == 201 && created.hasNonNull("generation_id")) {
            path = "/api/v1/generations/" + created.get("generation_id").asText();
        } else if (r.status() == 201 && created.hasNonNull("composition_id")) {
            path = "/api/v1/compositions/" + created.get("composition_id").asText();
        } else if (created.hasNonNull("job_id") && created.path("key").asText().startsWith("temp/")) {
            path = "/api/v1/temp/" + created.get("job_id").asText();
        }
        if (path != null) {
            String delete = path;
            RawAnswer gone = http.exchange(
                    RawHttp.request(
                            "DELETE", delete.getBytes(StandardCharsets.US_ASCII), Map.of("Authorization", token), null),
                    false);
            assertEquals(204, gone.status(), () -> delete + ": " + gone.text());
        }
    }

    /** Whether the target is a URI by RFC 2396 as {@code java.net.URI} reads it: Quarkus refuses any other. */
    private static boolean validUri(byte[] target) {
        try {
            new URI(new String(target, StandardCharsets.ISO_8859_1));
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static byte[] target(String template, String value, Encoding encoding) {
        int at = template.indexOf("{}");
        byte[] before = template.substring(0, at).getBytes(StandardCharsets.US_ASCII);
        byte[] after = template.substring(at + 2).getBytes(StandardCharsets.US_ASCII);
        byte[] middle = switch (encoding) {
            case PERCENT_ALL -> percent(value.getBytes(StandardCharsets.UTF_8), true);
            case PERCENT_UNSAFE -> percent(value.getBytes(StandardCharsets.UTF_8), false);
            case RAW_UTF8 -> requestLineSafe(value.getBytes(StandardCharsets.UTF_8));
            case RAW_LATIN1 -> requestLineSafe(value.getBytes(StandardCharsets.ISO_8859_1));
        };
        byte[] all = new byte[before.length + middle.length + after.length];
        System.arraycopy(before, 0, all, 0, before.length);
        System.arraycopy(middle, 0, all, before.length, middle.length);
        System.arraycopy(after, 0, all, before.length + middle.length, after.length);
        return all;
    }

    /** Every byte but unreserved ones as {@code %XX}; with {@code all == false}, {@code / . % \} stay raw too. */
    private static byte[] percent(byte[] bytes, boolean all) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            boolean keep = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '~'
                    || (!all && (c == '/' || c == '.' || c == '%' || c == '\\'));
            out.append(keep ? String.valueOf((char) c) : String.format("%%%02X", c));
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes as they are, but for those that would end the request line or the path (space, CR, LF, ?, #). */
    private static byte[] requestLineSafe(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            out.append(
                    c == ' ' || c == '\r' || c == '\n' || c == '?' || c == '#'
                            ? String.format("%%%02X", c)
                            : String.valueOf((char) c));
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Never a 5xx; every error is a problem document with a catalog code and the code's status. */
    private void assertWellFormed(RawAnswer r, String context) throws IOException {
        assertTrue(r.status() < 500, () -> r.status() + " for " + context + ": " + r.text());
        if (r.status() < 400) {
            return;
        }
        String type = r.header("content-type");
        assertTrue(
                type != null && type.startsWith("application/problem+json"),
                () -> "not problem+json (" + type + ", " + r.status() + ") for " + context + ": " + r.text());
        JsonNode problem = json.readTree(r.body());
        String code = problem.path("code").asText();
        assertTrue(CODES.contains(code), () -> "code " + code + " not in the catalog, for " + context);
        assertEquals(ErrorCode.valueOf(code.toUpperCase(Locale.ROOT)).status(), r.status(), context);
        assertEquals(r.status(), problem.path("status").asInt(), context);
    }

    /** A stored PNG of {@code size} bytes and its signed download URL (path and raw query). */
    private URI storedPng(byte[] png) throws IOException {
        RawAnswer up = http.exchange(
                RawHttp.request(
                        "POST",
                        "/api/v1/uploads?filename=fuzz.png".getBytes(StandardCharsets.US_ASCII),
                        Map.of("Authorization", user, "Content-Type", "image/png"),
                        png),
                false);
        assertEquals(201, up.status(), up.text());
        String id = json.readTree(up.body()).path("upload_id").asText();
        RawAnswer url = http.exchange(
                RawHttp.request(
                        "GET",
                        ("/api/v1/uploads/" + id + "/url").getBytes(StandardCharsets.US_ASCII),
                        Map.of("Authorization", user),
                        null),
                false);
        assertEquals(200, url.status(), url.text());
        return URI.create(json.readTree(url.body()).path("url").asText());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void rangeHeadersOnASignedDownload() throws IOException {
        byte[] png = Samples.png(3000);
        URI url = storedPng(png);
        byte[] target = (url.getRawPath() + "?" + url.getRawQuery()).getBytes(StandardCharsets.US_ASCII);
        Map<Integer, Integer> statuses = new HashMap<>();
        for (String header : draw(Hostile.rangeHeader(), CASES, 3)) {
            String sent = header.replace("\r", "").replace("\n", "");
            boolean head = sent.hashCode() % 7 == 0;
            RawAnswer r =
                    http.exchange(RawHttp.request(head ? "HEAD" : "GET", target, Map.of("Range", sent), null), head);
            String context = "Range: " + sent;
            statuses.merge(r.status(), 1, Integer::sum);
            if (r.status() == 400) {
                assertTrue(
                        sent.chars().anyMatch(c -> c < 0x20 || c == 0x7f),
                        () -> "400 for " + context + ": " + r.text());
                continue; // the HTTP layer refuses control characters in a header
            }
            assertWellFormed(r, context);
            // what the server sees: the header's bytes read as Latin-1, then the model decides
            String seen = new String(sent.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1).strip();
            Optional<ByteRange> range = head ? Optional.empty() : ByteRange.parseHeader(seen);
            Optional<ResolvedRange> resolved = range.flatMap(b -> b.resolve(png.length));
            int expected = range.isEmpty() ? 200 : resolved.isPresent() ? 206 : 416;
            assertEquals(expected, r.status(), () -> context + ": " + r.text());
            if (r.status() == 206) {
                ResolvedRange rr = resolved.orElseThrow();
                assertEquals(rr.contentRange(), r.header("content-range"), context);
                assertArrayEquals(Arrays.copyOfRange(png, (int) rr.start(), (int) rr.end() + 1), r.body(), context);
            } else if (r.status() == 416) {
                assertEquals("bytes */" + png.length, r.header("content-range"), context);
            } else if (!head) {
                assertArrayEquals(png, r.body(), context);
            }
        }
        System.out.printf("fuzz: %d Range headers, seed %d, statuses %s%n", CASES, SEED, statuses);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void mutatedSignedUrlQueries() throws IOException {
        byte[] png = Samples.png(500);
        URI url = storedPng(png);
        ObjectKey key = ObjectKey.parse(url.getRawPath().substring(StorageRoutes.PREFIX.length()));
        SignedQueryFuzzProperties.Target original = new SignedQueryFuzzProperties.Target("GET", key, url.getRawQuery());
        Arbitrary<String> noise = Arbitraries.oneOf(Hostile.fragment(), Hostile.number(), Hostile.safe(8));
        Arbitrary<SignedQueryFuzzProperties.Mutated> mutations = Combinators.combine(
                        Arbitraries.of(SignedQueryFuzzProperties.Mutation.class),
                        Arbitraries.integers().between(0, 1000),
                        noise,
                        Arbitraries.longs())
                .as((m, at, f, seed) -> new SignedQueryFuzzProperties.Mutated(null, m, at, f, seed));
        Map<Integer, Integer> statuses = new HashMap<>();
        for (SignedQueryFuzzProperties.Mutated m : draw(mutations, CASES, 4)) {
            SignedQueryFuzzProperties.Target t = SignedQueryFuzzProperties.mutate(original, m);
            byte[] target = ("/storage/" + t.key().value() + "?" + t.rawQuery()).getBytes(StandardCharsets.US_ASCII);
            boolean put = t.method().equals("PUT");
            RawAnswer r = http.exchange(
                    RawHttp.request(
                            t.method(), target, put ? Map.of("Content-Type", "image/png") : Map.of(), put ? png : null),
                    false);
            String context = m.mutation() + ": " + t;
            assertWellFormed(r, context);
            statuses.merge(r.status(), 1, Integer::sum);
            if (m.mutation().stillValid) {
                assertEquals(200, r.status(), context);
                assertArrayEquals(png, r.body(), context);
            } else {
                assertEquals(403, r.status(), () -> context + ": " + r.text());
                assertEquals(
                        "signature_invalid",
                        json.readTree(r.body()).path("code").asText(),
                        context);
            }
        }
        System.out.printf("fuzz: %d signed-URL query mutations, seed %d, statuses %s%n", CASES, SEED, statuses);
    }

    /** A multipart body as a client may get it wrong: the boundary, the parts, their headers, the framing. */
    record Multipart(String headerBoundary, String bodyBoundary, List<Part> parts, String preamble, String ending) {}

    record Part(String disposition, String type, int content, String extraHeader) {}

    private static Arbitrary<String> boundaries() {
        Arbitrary<String> valid = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?")
                .ofMinLength(1)
                .ofMaxLength(70);
        return Arbitraries.oneOf(
                valid,
                Hostile.nearMiss(valid),
                Arbitraries.of(
                        "",
                        "\"\"",
                        "\"quoted boundary\"",
                        "a b",
                        "x".repeat(71),
                        "x".repeat(5000),
                        "--",
                        "-",
                        "\u00e9t\u00e9",
                        "a\0b",
                        "b;boundary=c",
                        "\"unterminated"));
    }

    private static Arbitrary<Part> parts() {
        Arbitrary<String> names = Arbitraries.oneOf(Hostile.fileNameLike(), Arbitraries.just("logo.png"));
        Arbitrary<String> disposition = Arbitraries.oneOf(
                names.map(n -> "form-data; name=\"file\"; filename=\"" + n + "\""),
                names.map(n -> "form-data; name=file; filename=" + n),
                names.map(n -> "form-data; name=\"file\"; filename*=UTF-8''"
                        + new String(percent(n.getBytes(StandardCharsets.UTF_8), true), StandardCharsets.US_ASCII)),
                Arbitraries.of(
                        "form-data; name=\"file\"",
                        "form-data; name=\"other\"; filename=\"a.png\"",
                        "attachment",
                        "form-data; name=\"file\"; filename=\"\"",
                        "form-data; name=\"file\"; filename=\"a.png\"; filename=\"b.exe\"",
                        "",
                        "form-data; name=\"FILE\"; filename=\"a.png\"",
                        "form-data; filename=\"a.png\""));
        Arbitrary<String> type = Arbitraries.of(
                "image/png",
                "image/png",
                "image/jpeg",
                "application/octet-stream",
                "",
                "garbage",
                "image/png; charset=utf-8",
                "IMAGE/PNG",
                "image/png\u0000",
                "video/mp4");
        Arbitrary<String> extra = Arbitraries.of(
                "",
                "",
                "",
                "Content-Transfer-Encoding: base64",
                "X-Junk: \u00ff",
                "Content-Length: 99999999999999999999",
                "no colon here",
                "Content-Disposition: form-data; name=\"x\"");
        return Combinators.combine(disposition, type, Arbitraries.integers().between(0, 4), extra)
                .as(Part::new);
    }

    private static Arbitrary<Multipart> multiparts() {
        Arbitrary<String> endings =
                Arbitraries.of("--\r\n", "--\r\n", "--", "\r\n", "", "--\r\nepilogue", "-", "--\r\n--b--\r\n");
        return Combinators.combine(
                        boundaries(),
                        boundaries(),
                        Arbitraries.integers().between(0, 9),
                        parts().list().ofMinSize(0).ofMaxSize(3),
                        Arbitraries.of("", "", "preamble\r\n", "\r\n"),
                        endings)
                .as((header, other, same, ps, preamble, ending) ->
                        new Multipart(header, same < 8 ? header : other, ps, preamble, ending));
    }

    private static byte[] content(int kind) {
        return switch (kind) {
            case 0 -> Samples.png(300);
            case 1 -> new byte[0];
            case 2 -> "not a png at all\r\n--".getBytes(StandardCharsets.US_ASCII);
            case 3 -> Samples.jpeg(300);
            default -> Samples.png(40);
        };
    }

    private static byte[] body(Multipart m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(m.preamble().getBytes(StandardCharsets.UTF_8));
        for (Part p : m.parts()) {
            out.writeBytes(("--" + m.bodyBoundary() + "\r\n").getBytes(StandardCharsets.UTF_8));
            if (!p.disposition().isEmpty()) {
                out.writeBytes(("Content-Disposition: " + p.disposition() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!p.type().isEmpty()) {
                out.writeBytes(("Content-Type: " + p.type() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!p.extraHeader().isEmpty()) {
                out.writeBytes((p.extraHeader() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(content(p.content()));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + m.bodyBoundary() + m.ending()).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void multipartUploads() throws IOException {
        Map<Integer, Integer> statuses = new HashMap<>();
        for (Multipart m : draw(multiparts(), CASES, 5)) {
            String type = "multipart/form-data; boundary="
                    + m.headerBoundary().replace("\r", "").replace("\n", "");
            String context = m.toString();
            RawAnswer r;
            try {
                r = http.exchange(
                        RawHttp.request(
                                "POST",
                                "/api/v1/uploads".getBytes(StandardCharsets.US_ASCII),
                                Map.of("Authorization", user, "Content-Type", type),
                                body(m)),
                        false);
            } catch (IOException e) {
                throw new AssertionError("no answer to " + context, e);
            }
            statuses.merge(r.status(), 1, Integer::sum);
            if (r.status() == 400 && type.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                continue; // the HTTP layer refuses control characters in a header
            }
            assertWellFormed(r, context);
            if (r.status() == 201) {
                JsonNode meta = json.readTree(r.body());
                String filename = meta.path("filename").asText();
                assertFalse(
                        filename.isEmpty() || filename.contains("/") || filename.contains("\\"),
                        () -> filename + " of " + context);
                String id = meta.path("upload_id").asText();
                RawAnswer gone = http.exchange(
                        RawHttp.request(
                                "DELETE",
                                ("/api/v1/uploads/" + id).getBytes(StandardCharsets.US_ASCII),
                                Map.of("Authorization", user),
                                null),
                        false);
                assertEquals(204, gone.status(), gone.text());
            }
        }
        System.out.printf("fuzz: %d multipart uploads, seed %d, statuses %s%n", CASES, SEED, statuses);
    }

    /** A JSON body for one of the JSON endpoints, valid, nearly so, or no JSON at all. */
    record JsonCase(String path, String contentType, byte[] body) {}

    private static Arbitrary<String> jsonValue() {
        Arbitrary<String> strings = Arbitraries.oneOf(
                        Hostile.fragment(),
                        Hostile.fileNameLike(),
                        Hostile.datedIdLike("gen"),
                        Hostile.nameLike(),
                        Hostile.anyText())
                .map(FuzzApiTest::quote);
        Arbitrary<String> numbers = Arbitraries.oneOf(
                Hostile.number().filter(n -> n.matches("-?[0-9]+")),
                Arbitraries.of(
                        "1e400",
                        "-0",
                        "0.5",
                        "1E-400",
                        "123456789012345678901234567890",
                        "-1",
                        "NaN",
                        "Infinity",
                        "0x10",
                        "01"));
        Arbitrary<String> scalars =
                Arbitraries.oneOf(strings, numbers, Arbitraries.of("true", "false", "null", "{}", "[]"));
        Arbitrary<String> nested =
                Arbitraries.integers().between(1, 3000).map(depth -> "[".repeat(depth) + "]".repeat(depth));
        return Arbitraries.frequencyOf(
                Tuple.of(8, scalars),
                Tuple.of(1, nested),
                Tuple.of(1, scalars.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]")));
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
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

    private static Arbitrary<JsonCase> jsonCases() {
        Arbitrary<String> v = jsonValue();
        Arbitrary<String> generation = Combinators.combine(
                        v, v, v, Arbitraries.integers().between(0, 7))
                .as((a, b, c, shape) -> switch (shape) {
                    case 0 -> "{\"prompt\":" + a + ",\"parameters\":{\"seed\":" + b + "}}";
                    case 1 -> "{\"prompt\":\"a cat\",\"parameters\":" + a + ",\"user_id\":" + b + "}";
                    case 2 -> "{\"prompt\":\"a cat\",\"prompt\":" + a + "}";
                    case 3 -> "{\"prompt\":\"a cat\",\"parameters\":{},\"unknown\":" + a + "}";
                    case 4 -> "{\"prompt\":\"a cat\",\"parameters\":{\"" + c.replace("\"", "") + "\":" + a + "}}";
                    case 5 -> a;
                    case 6 -> "{\"prompt\":" + a;
                    default -> "{\"prompt\":\"a cat\",\"parameters\":{\"n\":" + b + "},\"user_id\":\"" + USER + "\"}";
                });
        Arbitrary<String> composition = Combinators.combine(
                        v, v, Arbitraries.integers().between(0, 5))
                .as((a, b, shape) -> switch (shape) {
                    case 0 ->
                        "{\"generation_id\":" + a + ",\"timeline\":{\"clips\":[{\"clip\":" + b
                                + ",\"start_seconds\":0}]}}";
                    case 1 ->
                        "{\"generation_id\":\"gen_20261203_abcdefghijkl\",\"timeline\":{\"clips\":[{\"clip\":1,\"start_seconds\":"
                                + a + ",\"duration_seconds\":" + b + "}]}}";
                    case 2 -> "{\"timeline\":" + a + "}";
                    case 3 ->
                        "{\"timeline\":{\"clips\":[{\"clip\":1,\"generation_id\":" + a
                                + ",\"start_seconds\":0}]},\"user_id\":" + b + "}";
                    case 4 -> "{\"timeline\":{\"clips\":" + a + "}}";
                    default -> a;
                });
        Arbitrary<String> presign = Combinators.combine(
                        v, v, v, Arbitraries.integers().between(0, 4))
                .as((a, b, c, shape) -> switch (shape) {
                    case 0 -> "{\"filename\":" + a + ",\"content_type\":\"image/png\",\"size_bytes\":100}";
                    case 1 -> "{\"filename\":\"a.png\",\"content_type\":" + a + ",\"size_bytes\":" + b + "}";
                    case 2 -> "{\"filename\":\"a.png\",\"content_type\":\"image/png\",\"size_bytes\":" + a + "}";
                    case 3 -> "{\"filename\":" + a + ",\"content_type\":" + b + ",\"size_bytes\":" + c + "}";
                    default -> a;
                });
        Arbitrary<String> fail = v.map(a -> "{\"reason\":" + a + "}");
        Arbitrary<String> types = Arbitraries.of(
                "application/json",
                "application/json",
                "application/json",
                "application/json; charset=utf-16",
                "text/plain",
                "application/json; charset=\u00ff",
                "application/x-www-form-urlencoded",
                "application/json; boundary=x");
        Arbitrary<JsonCase> cases = Arbitraries.oneOf(
                Combinators.combine(generation, types)
                        .as((b, t) -> new JsonCase("/api/v1/generations?reuse=false", t, utf8(b))),
                Combinators.combine(composition, types).as((b, t) -> new JsonCase("/api/v1/compositions", t, utf8(b))),
                Combinators.combine(presign, types).as((b, t) -> new JsonCase("/api/v1/uploads/presign", t, utf8(b))),
                Combinators.combine(fail, types)
                        .as((b, t) -> new JsonCase("/api/v1/generations/gen_20261203_abcdefghijkl/fail", t, utf8(b))));
        // now and then, bytes that are no UTF-8 at all: overlong sequences, lone continuation bytes, a cut
        return Combinators.combine(
                        cases,
                        Arbitraries.integers().between(0, 9),
                        Arbitraries.integers().between(0, 1 << 16))
                .as((c, damage, at) ->
                        damage > 1 ? c : new JsonCase(c.path(), c.contentType(), damage(c.body(), damage, at)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] damage(byte[] body, int kind, int at) {
        int i = body.length == 0 ? 0 : at % body.length;
        if (kind == 0) {
            return Arrays.copyOf(body, i);
        }
        byte[] evil = {(byte) 0xC0, (byte) 0xAE, (byte) 0x80, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] out = new byte[body.length + evil.length];
        System.arraycopy(body, 0, out, 0, i);
        System.arraycopy(evil, 0, out, i, evil.length);
        System.arraycopy(body, i, out, i + evil.length, body.length - i);
        return out;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void jsonBodies() throws IOException {
        Map<String, Integer> statuses = new HashMap<>();
        for (JsonCase c : draw(jsonCases(), CASES, 6)) {
            RawAnswer r = http.exchange(
                    RawHttp.request(
                            "POST",
                            c.path().getBytes(StandardCharsets.US_ASCII),
                            Map.of("Authorization", pipeline, "Content-Type", c.contentType()),
                            c.body()),
                    false);
            String context = c.path() + " " + c.contentType() + " " + new String(c.body(), StandardCharsets.UTF_8);
            assertWellFormed(r, context);
            undo(r, pipeline);
            statuses.merge(
                    c.path().replaceAll("gen_[a-z0-9_]+", "{id}").replaceAll("\\?.*", "") + " " + r.status(),
                    1,
                    Integer::sum);
        }
        System.out.printf("fuzz: %d JSON bodies, seed %d, statuses %s%n", CASES, SEED, new TreeMap<>(statuses));
    }

    /** Shrunk counterexample of {@link #multipartUploads()}: a file part refused from its name was never answered. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aMultipartFilePartRefusedFromItsNameIsAnswered() throws IOException {
        byte[] body = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.exe\"\r\n"
                        + "Content-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        body = Samples.concat(body, Samples.png(100), "\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII));
        RawAnswer r = http.exchange(
                RawHttp.request(
                        "POST",
                        "/api/v1/uploads".getBytes(StandardCharsets.US_ASCII),
                        Map.of("Authorization", user, "Content-Type", "multipart/form-data; boundary=b"),
                        body),
                false);
        assertProblem(r, 415, "unsupported_media_type");
    }

    /** Shrunk counterexample of {@link #multipartUploads()}: an empty boundary made Netty's decoder throw, a 500. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anEmptyMultipartBoundaryIsAnInvalidRequest() throws IOException {
        for (String type : List.of(
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=\"\"",
                "multipart/form-data",
                "multipart/form-data; boundary=a; boundary=b",
                "multipart/form-data; boundary=" + "x".repeat(71))) {
            RawAnswer r = http.exchange(
                    RawHttp.request(
                            "POST",
                            "/api/v1/uploads".getBytes(StandardCharsets.US_ASCII),
                            Map.of("Authorization", user, "Content-Type", type),
                            "--\r\n".getBytes(StandardCharsets.US_ASCII)),
                    false);
            assertProblem(r, 400, "invalid_request");
        }
    }

    /** Shrunk counterexample of {@link #jsonBodies()}: JSON of the wrong shape got Quarkus' bare 400, no problem. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void jsonOfTheWrongShapeIsAProblem() throws IOException {
        for (String path : List.of("/api/v1/uploads/presign", "/api/v1/generations", "/api/v1/compositions")) {
            for (String body : List.of("[]", "\"a\"", "{\"size_bytes\":[1],\"prompt\":{},\"timeline\":1}")) {
                RawAnswer r = http.exchange(
                        RawHttp.request(
                                "POST",
                                path.getBytes(StandardCharsets.US_ASCII),
                                Map.of("Authorization", pipeline, "Content-Type", "application/json"),
                                body.getBytes(StandardCharsets.UTF_8)),
                        false);
                assertProblem(r, 400, "invalid_request");
            }
        }
    }

    /** Shrunk counterexample of {@link #hostileValuesInPathsAndQueries()}: {@code /storage} (no slash) was a 500. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void storageWithoutAKeyIsNotFound() throws IOException {
        for (String method : List.of("GET", "HEAD", "PUT")) {
            boolean head = method.equals("HEAD");
            RawAnswer r = http.exchange(
                    RawHttp.request(
                            method,
                            "/storage".getBytes(StandardCharsets.US_ASCII),
                            Map.of(),
                            method.equals("PUT") ? new byte[1] : null),
                    head);
            assertEquals(404, r.status(), method);
            if (!head) {
                assertProblem(r, 404, "not_found");
            }
        }
    }

    private void assertProblem(RawAnswer r, int status, String code) throws IOException {
        assertEquals(status, r.status(), r.text());
        assertWellFormed(r, r.text());
        assertEquals(code, json.readTree(r.body()).path("code").asText(), r.text());
    }

    @Test
    void theGeneratorsWorkOutsideJqwiksEngine() {
        assertNotNull(draw(Hostile.keyLike(), 3, 0).get(2));
        if (draw(Hostile.keyLike(), 1, 7).equals(draw(Hostile.keyLike(), 2, 7).subList(0, 1))) {
            return;
        }
        fail("draws with one seed differ");
    }
}
