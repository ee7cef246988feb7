package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.RawConnection.headers;
import static io.reelvault.support.Users.freshUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Generations;
import io.reelvault.support.Poll;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.RawConnection;
import io.reelvault.support.RawConnection.Abort;
import io.reelvault.support.Samples;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that vanish or lie, over raw sockets, on the local backend ({@code ClientFaultsApiS3Test} runs every test
 * again on S3). A client gone mid-upload (a reset or a FIN at a random offset, 50 times) leaves nothing: no object, no
 * temp file or multipart upload, no file descriptor, no buffer. A body shorter or longer than its Content-Length, a
 * chunked body past the limit, a Content-Length of 10^18 or of garbage is refused with 400/413, stores nothing, and
 * leaves the connection as HTTP requires: closed when the rest of the body cannot be read, reusable when it was.
 */
@QuarkusTest
class ClientFaultsApiTest {
    static final Duration ANSWER = Duration.ofSeconds(20);
    static final int ABORTS = 50;
    /** Open file descriptors that may come and go for reasons of their own (class loading, a pooled connection). */
    static final int FD_TOLERANCE = 5;

    private static final String BOUNDARY = "clientfaultsboundary0123";

    @Inject
    ObjectStore store;

    private Map<String, Long> fdKindsBefore;

    /** A request that its client will abandon: its bytes, and where whatever it stored would be. */
    record Doomed(String kind, byte[] head, byte[] body, int earliestCut, List<String> prefixes) {
        byte[] wire() {
            return Samples.concat(head, body);
        }
    }

    // ---- what differs per backend (the S3 twin overrides these)

    /** No half-written object is left: local temp files; S3 multipart uploads in progress under our keys. */
    boolean noPartialWrites() {
        try (Stream<Path> temp = Files.list(TestStorageRoot.path().resolve(".tmp"))) {
            return temp.noneMatch(p -> p.getFileName().toString().startsWith("put-"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes of the S3 buffer budget no upload holds (the local backend has none: 0). */
    long bufferFree() {
        return 0;
    }

    /** The kinds of doomed requests, cycled through. */
    List<Function<Random, Doomed>> kinds() {
        return List.of(
                this::rawKnownLength,
                this::rawChunked,
                this::multipartForm,
                this::clip,
                this::tempFile,
                this::signedPut);
    }

    /** Whether signed PUTs come to this service (local backend) rather than to the bucket. */
    boolean signedPutsHere() {
        return true;
    }

    // ---- doomed requests

    Doomed rawKnownLength(Random random) {
        String user = freshUser("gone");
        byte[] png = Samples.png(1000 + random.nextInt(300_000));
        return new Doomed(
                "raw",
                RawConnection.head(
                        "POST",
                        "/api/v1/uploads?filename=a.png",
                        headers(
                                "Authorization",
                                "Bearer " + TestTokens.user(user),
                                "Content-Type",
                                "image/png",
                                "Content-Length",
                                Integer.toString(png.length))),
                png,
                0,
                List.of("uploads/" + user + "/"));
    }

    Doomed rawChunked(Random random) {
        String user = freshUser("gone-chunked");
        return new Doomed(
                "raw-chunked",
                RawConnection.head(
                        "POST",
                        "/api/v1/uploads?filename=a.png",
                        headers(
                                "Authorization",
                                "Bearer " + TestTokens.user(user),
                                "Content-Type",
                                "image/png",
                                "Transfer-Encoding",
                                "chunked")),
                RawConnection.chunks(Samples.png(1000 + random.nextInt(300_000)), 64 * 1024),
                0,
                List.of("uploads/" + user + "/"));
    }

    Doomed multipartForm(Random random) {
        String user = freshUser("gone-form");
        byte[] form = Samples.concat(
                ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\""
                                + "\r\nContent-Type: image/png\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII),
                Samples.png(1000 + random.nextInt(300_000)));
        return new Doomed(
                "multipart",
                RawConnection.head(
                        "POST",
                        "/api/v1/uploads",
                        headers(
                                "Authorization",
                                "Bearer " + TestTokens.user(user),
                                "Content-Type",
                                "multipart/form-data; boundary=" + BOUNDARY,
                                "Transfer-Encoding",
                                "chunked")),
                RawConnection.chunks(form, 16 * 1024),
                0,
                List.of("uploads/" + user + "/"));
    }

    private String generation;
    private final AtomicInteger clips = new AtomicInteger();

    Doomed clip(Random random) {
        if (generation == null) {
            generation = Generations.create("clients that vanish " + freshUser("g"));
        }
        byte[] mp4 = Samples.mp4(1000 + random.nextInt(300_000));
        int n = clips.incrementAndGet();
        return new Doomed(
                "clip",
                RawConnection.head(
                        "PUT",
                        "/api/v1/generations/" + generation + "/clips/" + n,
                        headers(
                                "Authorization",
                                "Bearer " + PIPELINE,
                                "Content-Type",
                                "video/mp4",
                                "Content-Length",
                                Integer.toString(mp4.length))),
                mp4,
                0,
                List.of(
                        "generations/" + generation + "/clips/" + String.format("clip_%03d.", n),
                        "generations/" + generation + "/thumbnails/" + String.format("clip_%03d.", n)));
    }

    Doomed tempFile(Random random) {
        return tempFile(random, 1000 + random.nextInt(300_000), 0);
    }

    /** A chunked temp file of {@code size} random bytes that its client abandons no sooner than {@code earliestCut}. */
    Doomed tempFile(Random random, int size, int earliestCut) {
        String job = freshUser("gone-job");
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return new Doomed(
                "temp",
                RawConnection.head(
                        "PUT",
                        "/api/v1/temp/" + job + "/a.tmp",
                        headers(
                                "Authorization",
                                "Bearer " + PIPELINE,
                                "Content-Type",
                                "application/octet-stream",
                                "Transfer-Encoding",
                                "chunked")),
                RawConnection.chunks(bytes, 64 * 1024),
                earliestCut == 0 ? 0 : RawConnection.chunks(new byte[earliestCut], 64 * 1024).length,
                List.of("temp/" + job + "/"));
    }

    /** A direct upload's signed PUT to {@code /storage/...} (local backend only: on S3 the URL is the bucket's). */
    Doomed signedPut(Random random) {
        String user = freshUser("gone-signed");
        byte[] png = Samples.png(1000 + random.nextInt(300_000));
        var presigned = Uploads.presign(TestTokens.user(user), "a.png", "image/png", png.length);
        URI url = URI.create(presigned.path("upload_url"));
        return new Doomed(
                "signed-put",
                RawConnection.head(
                        "PUT",
                        url.getRawPath() + "?" + url.getRawQuery(),
                        headers("Content-Type", "image/png", "Content-Length", Integer.toString(png.length))),
                png,
                0,
                List.of("uploads/" + user + "/" + presigned.path("upload_id") + "/original"));
    }

    // ---- checks

    boolean anyObjectUnder(String prefix) {
        return !store.list(new KeyPrefix(prefix), Optional.empty())
                .select()
                .first()
                .collect()
                .asList()
                .await()
                .atMost(Duration.ofSeconds(10))
                .isEmpty();
    }

    static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the open file descriptors are (sockets, files, pipes), counted by kind: a leak's report says what leaked. */
    static Map<String, Long> openFileDescriptorKinds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                        try {
                            String target = Files.readSymbolicLink(fd).toString();
                            return target.startsWith("/")
                                    ? (target.contains("/.tmp/") ? target : "file")
                                    : target.startsWith("socket:")
                                            ? "socket " + tcpState(target.replaceAll("\\D", ""))
                                            : target.replaceAll("[:\\[].*", "");
                        } catch (IOException gone) {
                            return "closed";
                        }
                    })
                    .collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TCP socket's ports and state from /proc/net/tcp*, by inode ("?" when it is not TCP). */
    static String tcpState(String inode) {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[9].equals(inode)) {
                        return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) + "->"
                                + Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16) + " st" + f[3];
                    }
                }
            } catch (IOException | RuntimeException e) {
                return "?";
            }
        }
        return "?";
    }

    static void assertProblem(RawAnswer r, int status, Set<String> codes) {
        assertNotNull(r, "an answer");
        assertEquals(status, r.status(), r.toString());
        assertTrue(String.valueOf(r.header("content-type")).startsWith("application/problem+json"), r.toString());
        assertTrue(codes.contains(r.code()), r.toString());
    }

    static void assertProblem(RawAnswer r, int status, String code) {
        assertProblem(r, status, Set.of(code));
    }

    void assertNothingStored(List<Doomed> doomed) {
        for (Doomed d : doomed) {
            for (String prefix : d.prefixes()) {
                assertFalse(anyObjectUnder(prefix), d.kind() + ": nothing is stored under " + prefix);
            }
        }
    }

    /** Every half-written object, descriptor and buffer of the requests before is gone (cleanup is asynchronous: polled). */
    void assertSettled(long fdsBefore, long budgetBefore) {
        Poll.until(ANSWER, "no half-written object", this::noPartialWrites);
        Poll.until(ANSWER, "the whole buffer budget free again", () -> bufferFree() == budgetBefore);
        try {
            Poll.until(
                    ANSWER,
                    "open file descriptors back to " + fdsBefore + " (+" + FD_TOLERANCE + ")",
                    () -> openFileDescriptors() <= fdsBefore + FD_TOLERANCE);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + ": now " + openFileDescriptorKinds() + ", before " + fdKindsBefore, e);
        }
    }

    // ---- 2. a client gone mid-upload

    /**
     * Fifty requests, cycling through every upload endpoint, each abandoned at a random offset of its bytes (mostly
     * within the body, now and then within the head) with a reset or a FIN; a FIN that keeps the socket open for
     * reading may get an answer, never a success, and sees the connection closed. Then: nothing stored, nothing
     * half-written, descriptors and buffers back where they were, and the service still stores a normal upload.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void clientsGoneMidUploadLeaveNothing() throws Exception {
        long seed = Long.getLong("reelvault.faults.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.printf("client gone mid-upload [%s]: seed %d%n", getClass().getSimpleName(), seed);
        List<Function<Random, Doomed>> kinds = kinds();
        // warm up: one complete request of each kind, so that lazily opened files and connections are open already
        for (Function<Random, Doomed> kind : kinds) {
            Doomed d = kind.apply(random);
            try (RawConnection http = RawConnection.connect(ANSWER)) {
                http.send(d.wire());
                if (d.head().length > 0 && new String(d.head(), StandardCharsets.US_ASCII).contains("chunked")) {
                    http.send(
                            d.kind().equals("multipart")
                                    ? Samples.concat(
                                            RawConnection.chunks(
                                                    ("\r\n--" + BOUNDARY + "--\r\n")
                                                            .getBytes(StandardCharsets.US_ASCII),
                                                    64),
                                            RawConnection.LAST_CHUNK)
                                    : RawConnection.LAST_CHUNK);
                }
                RawAnswer r = http.response();
                assertNotNull(r, d.kind());
                assertTrue(r.status() == 200 || r.status() == 201, d.kind() + ": " + r);
            }
        }
        // every request is prepared before counting: a presign's connection (rest-assured keeps it) is not a leak
        List<Doomed> doomed = new ArrayList<>();
        for (int i = 0; i < ABORTS; i++) {
            doomed.add(kinds.get(i % kinds.size()).apply(random));
        }
        Poll.until(ANSWER, "no half-written object", this::noPartialWrites);
        long fdsBefore = openFileDescriptors();
        fdKindsBefore = openFileDescriptorKinds();
        long budgetBefore = bufferFree();

        Map<Abort, Integer> how = new EnumMap<>(Abort.class);
        long started = System.nanoTime();
        for (int i = 0; i < ABORTS; i++) {
            Doomed d = doomed.get(i);
            int cut;
            if (d.earliestCut() > 0) {
                cut = d.head().length + d.earliestCut() + random.nextInt(d.body().length - d.earliestCut());
            } else if (random.nextInt(8) == 0) {
                cut = random.nextInt(d.head().length);
            } else {
                cut = d.head().length + random.nextInt(d.body().length);
            }
            Abort abort = i % 2 == 0 ? Abort.RST : random.nextBoolean() ? Abort.HALF_CLOSE : Abort.CLOSE;
            how.merge(abort, 1, Integer::sum);
            RawConnection http = RawConnection.connect(ANSWER);
            try {
                http.send(d.wire(), 0, cut);
                http.abort(abort);
                if (abort == Abort.HALF_CLOSE) {
                    RawAnswer r = http.response();
                    if (r != null) {
                        assertTrue(r.status() >= 400, d.kind() + " cut at " + cut + ": " + r);
                    }
                    assertTrue(http.closedByServer(), d.kind() + ": the connection of a half-closed request is closed");
                }
            } finally {
                http.close();
            }
        }
        long aborted = System.nanoTime();
        assertSettled(fdsBefore, budgetBefore);
        long settled = System.nanoTime();
        assertNothingStored(doomed);
        System.out.printf(
                "client gone mid-upload [%s]: seed %d (-Dreelvault.faults.seed=%d to repeat), %d aborts %s in %d ms,"
                        + " settled in %d ms; open fds before %d, after %d; buffer budget free before %d, after %d%n",
                getClass().getSimpleName(),
                seed,
                seed,
                ABORTS,
                how,
                (aborted - started) / 1_000_000,
                (settled - aborted) / 1_000_000,
                fdsBefore,
                openFileDescriptors(),
                budgetBefore,
                bufferFree());

        String user = freshUser("after");
        Uploads.uploadRaw(TestTokens.user(user), "a.png", "image/png", Samples.png(50_000))
                .statusCode(201);
    }

    // ---- 4. length lies

    /** The head of a raw upload of a PNG by {@code token}, with the framing headers given. */
    static byte[] uploadHead(String token, String... framing) {
        Map<String, String> headers = headers("Authorization", "Bearer " + token, "Content-Type", "image/png");
        headers.putAll(headers(framing));
        return RawConnection.head("POST", "/api/v1/uploads?filename=a.png", headers);
    }

    /**
     * A body that ends (FIN) before its Content-Length: the request can never complete, so nothing is stored and the
     * connection is closed; an answer, if one comes first, is a 400.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBodyShorterThanItsContentLengthStoresNothing() throws Exception {
        Random random = new Random(4);
        List<Doomed> doomed = new ArrayList<>(List.of(rawKnownLength(random), clip(random)));
        if (signedPutsHere()) {
            doomed.add(signedPut(random));
        }
        for (Doomed d : doomed) {
            try (RawConnection http = RawConnection.connect(ANSWER)) {
                http.send(d.head()).send(d.body(), 0, d.body().length / 2);
                http.abort(Abort.HALF_CLOSE);
                RawAnswer r = http.response();
                if (r != null) {
                    assertProblem(r, 400, Set.of("invalid_request", "length_mismatch"));
                }
                assertTrue(http.closedByServer(), d.kind() + ": the connection of a short body is closed");
            }
        }
        Poll.until(ANSWER, "no half-written object", this::noPartialWrites);
        assertNothingStored(doomed);
    }

    /**
     * Bytes past the Content-Length are not the body: HTTP/1.1 frames the body by its length, so the upload stores
     * exactly the declared bytes (201), and what follows is read as the next request, which is no request: 400 and
     * the connection closed.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBodyLongerThanItsContentLengthEndsThere() throws Exception {
        String user = freshUser("long");
        byte[] png = Samples.png(100_000);
        byte[] more = Samples.png(5_000);
        try (RawConnection http = RawConnection.connect(ANSWER)) {
            http.send(Samples.concat(
                    uploadHead(TestTokens.user(user), "Content-Length", Integer.toString(png.length)), png, more));
            RawAnswer stored = http.response();
            assertEquals(201, stored.status(), stored.toString());
            assertTrue(stored.text().contains("\"size_bytes\":" + png.length), stored.text());
            assertTrue(stored.text().contains(Samples.sha256(png)), stored.text());
            assertNotFollowedByARequest(http);
        }
        if (signedPutsHere()) {
            String owner = freshUser("long-signed");
            var presigned = Uploads.presign(TestTokens.user(owner), "a.png", "image/png", png.length);
            URI url = URI.create(presigned.path("upload_url"));
            try (RawConnection http = RawConnection.connect(ANSWER)) {
                http.send(Samples.concat(
                        RawConnection.head(
                                "PUT",
                                url.getRawPath() + "?" + url.getRawQuery(),
                                headers("Content-Type", "image/png", "Content-Length", Integer.toString(png.length))),
                        png,
                        more));
                assertEquals(200, http.response().status());
                assertNotFollowedByARequest(http);
            }
            var info = store.head(
                            ObjectKey.parse("uploads/" + owner + "/" + presigned.path("upload_id") + "/original.png"))
                    .await()
                    .atMost(ANSWER)
                    .orElseThrow();
            assertEquals(png.length, info.size(), "a signed PUT stores exactly its signed length");
        }
    }

    /** What follows a body on its connection is not a request: the parser refuses it (400) and closes. */
    static void assertNotFollowedByARequest(RawConnection http) throws IOException {
        RawAnswer rest = http.response();
        assertNotNull(rest, "the bytes after the body are answered");
        assertEquals(400, rest.status(), rest.toString());
        assertTrue(http.closedByServer(), "and the connection is closed");
    }

    /**
     * A chunked body (no Content-Length) is refused with 413 the moment it passes the upload limit (2 MiB in tests);
     * the rest of it, under the drain limit, is read and dropped, so the connection serves the next request.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChunkedBodyPastTheLimitIs413AndTheConnectionGoesOn() throws Exception {
        String user = freshUser("chunked-limit");
        String token = TestTokens.user(user);
        byte[] png = Samples.png(2 * 1024 * 1024 + 300_000);
        try (RawConnection http = RawConnection.connect(ANSWER)) {
            http.send(Samples.concat(
                    uploadHead(token, "Transfer-Encoding", "chunked"),
                    RawConnection.chunks(png, 64 * 1024),
                    RawConnection.LAST_CHUNK));
            assertProblem(http.response(), 413, "payload_too_large");
            http.send(RawConnection.head("GET", "/api/v1/uploads", headers("Authorization", "Bearer " + token)));
            RawAnswer next = http.response();
            assertNotNull(next, "the connection is still open");
            assertEquals(200, next.status(), next.toString());
        }
        assertFalse(anyObjectUnder("uploads/" + user + "/"), "nothing of a refused body is stored");
        Poll.until(ANSWER, "no half-written object", this::noPartialWrites);
    }

    /**
     * A Content-Length past every limit is refused from the headers, before a byte is stored, whether the client waits
     * for 100-continue or sends at once; the answer says {@code Connection: close} and the connection is closed, since
     * the rest will never be read. 10^10 bytes reaches the service: 413 {@code payload_too_large} (a signed PUT: 403
     * {@code signature_invalid}, not its signed length). 10^18 is past Quarkus' own body limit
     * ({@code REELVAULT_MAX_BODY_SIZE}, 20G), which answers 413 itself, with no body, before the API sees the request
     * (the signed route, which is not under that limit, still answers 403).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aContentLengthOf10To18IsRefusedAndTheConnectionClosed() throws Exception {
        String user = freshUser("huge");
        String gen = Generations.create("a huge clip " + user);
        for (String huge : List.of("10000000000", "1000000000000000000")) {
            boolean service = huge.length() < 12;
            List<byte[]> heads = new ArrayList<>(List.of(
                    uploadHead(TestTokens.user(user), "Content-Length", huge),
                    uploadHead(TestTokens.user(user), "Content-Length", huge, "Expect", "100-continue"),
                    RawConnection.head(
                            "PUT",
                            "/api/v1/generations/" + gen + "/clips/1",
                            headers(
                                    "Authorization",
                                    "Bearer " + PIPELINE,
                                    "Content-Type",
                                    "video/mp4",
                                    "Content-Length",
                                    huge))));
            List<String> codes =
                    new ArrayList<>(List.of("payload_too_large", "payload_too_large", "payload_too_large"));
            if (signedPutsHere()) {
                URI url = URI.create(
                        Uploads.presign(TestTokens.user(freshUser("huge-signed")), "a.png", "image/png", 1000)
                                .path("upload_url"));
                heads.add(RawConnection.head(
                        "PUT",
                        url.getRawPath() + "?" + url.getRawQuery(),
                        headers("Content-Type", "image/png", "Content-Length", huge)));
                codes.add("signature_invalid");
            }
            for (int i = 0; i < heads.size(); i++) {
                try (RawConnection http = RawConnection.connect(ANSWER)) {
                    http.send(heads.get(i));
                    if (!new String(heads.get(i), StandardCharsets.US_ASCII).contains("100-continue")) {
                        http.send(Samples.png(64 * 1024)); // a client that does not wait for an answer
                    }
                    RawAnswer r = http.response();
                    if (service
                            || codes.get(i)
                                    .equals("signature_invalid")) { // the signed route is not under Quarkus' limit
                        assertProblem(r, codes.get(i).equals("signature_invalid") ? 403 : 413, codes.get(i));
                    } else {
                        assertNotNull(r, huge);
                        assertEquals(413, r.status(), r.toString());
                    }
                    assertEquals("close", r.header("connection"), huge + ": " + r);
                    assertTrue(
                            http.closedByServer(), huge + ": the connection of a body that will not be read is closed");
                }
            }
        }
        assertFalse(anyObjectUnder("uploads/" + user + "/"));
        assertFalse(anyObjectUnder("generations/" + gen + "/clips/"));
        Poll.until(ANSWER, "no half-written object", this::noPartialWrites);
    }

    /**
     * A Content-Length that is negative, not a number, past a long, or given twice with two values frames no body: the
     * HTTP parser (Netty's) refuses the request with 400 before any of the service sees it (so with an empty body, not
     * a problem), and closes the connection.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGarbageContentLengthIs400AndTheConnectionClosed() throws Exception {
        String user = freshUser("garbage");
        for (String[] framing : List.of(
                new String[] {"Content-Length", "-1"},
                new String[] {"Content-Length", "abc"},
                new String[] {"Content-Length", "12abc"},
                new String[] {"Content-Length", "99999999999999999999999"},
                new String[] {"Content-Length", "0x10"},
                new String[] {"Content-Length", "10", "content-length", "20"})) {
            try (RawConnection http = RawConnection.connect(ANSWER)) {
                http.send(uploadHead(TestTokens.user(user), framing)).send(Samples.png(1000));
                RawAnswer r = http.response();
                assertNotNull(r, String.join(" ", framing));
                assertEquals(400, r.status(), String.join(" ", framing) + ": " + r);
                assertTrue(http.closedByServer(), String.join(" ", framing) + ": the connection is closed");
            }
        }
        assertFalse(anyObjectUnder("uploads/" + user + "/"));
    }
}
