package io.reelvault.api;

import static io.reelvault.api.UploadsApiTest.freshUser;
import static io.reelvault.support.RawHttp.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Poll;
import io.reelvault.support.RawHttp;
import io.reelvault.support.RawHttp.Abort;
import io.reelvault.support.Samples;
import io.reelvault.support.SlowUpload;
import io.reelvault.support.TestTokens;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
    static final String PIPELINE = TestTokens.pipeline("pipeline-worker");
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
        try (Stream<Path> temp = Files.list(UploadsApiTest.ROOT.resolve(".tmp"))) {
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
        return List.of(this::rawKnownLength, this::rawChunked, this::multipartForm, this::clip, this::tempFile, this::signedPut);
    }

    /** Whether signed PUTs come to this service (local backend) rather than to the bucket. */
    boolean signedPutsHere() {
        return true;
    }

    // ---- doomed requests

    Doomed rawKnownLength(Random random) {
        String user = freshUser("gone");
        byte[] png = Samples.png(1000 + random.nextInt(300_000));
        return new Doomed("raw", RawHttp.head("POST", "/api/v1/uploads?filename=a.png", headers("Authorization",
                "Bearer " + TestTokens.user(user), "Content-Type", "image/png", "Content-Length", Integer.toString(png.length))),
                png, 0, List.of("uploads/" + user + "/"));
    }

    Doomed rawChunked(Random random) {
        String user = freshUser("gone-chunked");
        return new Doomed("raw-chunked", RawHttp.head("POST", "/api/v1/uploads?filename=a.png", headers("Authorization",
                "Bearer " + TestTokens.user(user), "Content-Type", "image/png", "Transfer-Encoding", "chunked")),
                RawHttp.chunks(Samples.png(1000 + random.nextInt(300_000)), 64 * 1024), 0, List.of("uploads/" + user + "/"));
    }

    Doomed multipartForm(Random random) {
        String user = freshUser("gone-form");
        byte[] form = Samples.concat(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\""
                + "\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Samples.png(1000 + random.nextInt(300_000)));
        return new Doomed("multipart", RawHttp.head("POST", "/api/v1/uploads", headers("Authorization",
                "Bearer " + TestTokens.user(user), "Content-Type", "multipart/form-data; boundary=" + BOUNDARY,
                "Transfer-Encoding", "chunked")), RawHttp.chunks(form, 16 * 1024), 0, List.of("uploads/" + user + "/"));
    }

    private String generation;
    private final AtomicInteger clips = new AtomicInteger();

    Doomed clip(Random random) {
        if (generation == null) {
            generation = GenerationsApiTest.create("clients that vanish " + freshUser("g"));
        }
        byte[] mp4 = Samples.mp4(1000 + random.nextInt(300_000));
        int n = clips.incrementAndGet();
        return new Doomed("clip", RawHttp.head("PUT", "/api/v1/generations/" + generation + "/clips/" + n, headers("Authorization",
                "Bearer " + PIPELINE, "Content-Type", "video/mp4", "Content-Length", Integer.toString(mp4.length))),
                mp4, 0, List.of("generations/" + generation + "/clips/" + String.format("clip_%03d.", n),
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
        return new Doomed("temp", RawHttp.head("PUT", "/api/v1/temp/" + job + "/a.tmp", headers("Authorization",
                "Bearer " + PIPELINE, "Content-Type", "application/octet-stream", "Transfer-Encoding", "chunked")),
                RawHttp.chunks(bytes, 64 * 1024), earliestCut == 0 ? 0 : RawHttp.chunks(new byte[earliestCut], 64 * 1024).length,
                List.of("temp/" + job + "/"));
    }

    /** A direct upload's signed PUT to {@code /storage/...} (local backend only: on S3 the URL is the bucket's). */
    Doomed signedPut(Random random) {
        String user = freshUser("gone-signed");
        byte[] png = Samples.png(1000 + random.nextInt(300_000));
        var presigned = UploadsApiTest.presign(TestTokens.user(user), "a.png", "image/png", png.length);
        URI url = URI.create(presigned.path("upload_url"));
        return new Doomed("signed-put", RawHttp.head("PUT", url.getRawPath() + "?" + url.getRawQuery(), headers(
                "Content-Type", "image/png", "Content-Length", Integer.toString(png.length))), png, 0,
                List.of("uploads/" + user + "/" + presigned.path("upload_id") + "/original"));
    }

    // ---- checks

    boolean anyObjectUnder(String prefix) {
        return !store.list(new KeyPrefix(prefix), Optional.empty()).select().first().collect().asList()
                .await().atMost(Duration.ofSeconds(10)).isEmpty();
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
                    return target.startsWith("/") ? (target.contains("/.tmp/") ? target : "file")
                            : target.replaceAll("[:\\[].*", "");
                } catch (IOException gone) {
                    return "closed";
                }
            }).collect(java.util.stream.Collectors.groupingBy(k -> k, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertProblem(SlowUpload.Response r, int status, Set<String> codes) {
        assertNotNull(r, "an answer");
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.headers().getOrDefault("content-type", "").startsWith("application/problem+json"), r.toString());
        assertTrue(codes.contains(r.code()), r.toString());
    }

    static void assertProblem(SlowUpload.Response r, int status, String code) {
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
            Poll.until(ANSWER, "open file descriptors back to " + fdsBefore + " (+" + FD_TOLERANCE + ")",
                    () -> openFileDescriptors() <= fdsBefore + FD_TOLERANCE);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": now " + openFileDescriptorKinds() + ", before " + fdKindsBefore, e);
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
        List<Function<Random, Doomed>> kinds = kinds();
        // warm up: one complete request of each kind, so that lazily opened files and connections are open already
        for (Function<Random, Doomed> kind : kinds) {
            Doomed d = kind.apply(random);
            try (RawHttp http = RawHttp.connect(ANSWER)) {
                http.send(d.wire());
                if (d.head().length > 0 && new String(d.head(), StandardCharsets.US_ASCII).contains("chunked")) {
                    http.send(d.kind().equals("multipart") ? Samples.concat(RawHttp.chunks(
                            ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII), 64), RawHttp.LAST_CHUNK)
                            : RawHttp.LAST_CHUNK);
                }
                SlowUpload.Response r = http.response();
                assertNotNull(r, d.kind());
                assertTrue(r.status() == 200 || r.status() == 201, d.kind() + ": " + r);
            }
        }
        Poll.until(ANSWER, "no half-written object", this::noPartialWrites);
        long fdsBefore = openFileDescriptors();
        fdKindsBefore = openFileDescriptorKinds();
        long budgetBefore = bufferFree();

        List<Doomed> doomed = new ArrayList<>();
        Map<Abort, Integer> how = new EnumMap<>(Abort.class);
        long started = System.nanoTime();
        for (int i = 0; i < ABORTS; i++) {
            Doomed d = kinds.get(i % kinds.size()).apply(random);
            doomed.add(d);
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
            RawHttp http = RawHttp.connect(ANSWER);
            try {
                http.send(d.wire(), 0, cut);
                http.abort(abort);
                if (abort == Abort.HALF_CLOSE) {
                    SlowUpload.Response r = http.response();
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
        System.out.printf("client gone mid-upload [%s]: seed %d (-Dreelvault.faults.seed=%d to repeat), %d aborts %s in %d ms,"
                + " settled in %d ms; open fds before %d, after %d; buffer budget free before %d, after %d%n",
                getClass().getSimpleName(), seed, seed, ABORTS, how, (aborted - started) / 1_000_000,
                (settled - aborted) / 1_000_000, fdsBefore, openFileDescriptors(), budgetBefore, bufferFree());

        String user = freshUser("after");
        UploadsApiTest.uploadRaw(TestTokens.user(user), "a.png", "image/png", Samples.png(50_000)).statusCode(201);
    }
}
