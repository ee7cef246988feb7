package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.reelvault.support.Generations.put;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.support.Samples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, item 3: many writers of different bytes race on one artifact (clip 1 of a pending generation) while
 * readers fetch it whole through its signed URL. Afterwards the object is exactly one writer's bytes and the
 * metadata names that writer's SHA-256; every read saw one writer's bytes whole (old or new), never a mix.
 * Local backend here; {@code WriterRaceApiS3Test} runs it again on S3.
 */
@QuarkusTest
class WriterRaceApiTest {
    static final int WRITERS = 16;
    static final int ROUNDS = 2;
    static final int READERS = 2;

    long raceMillis;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void racingWritersLeaveOneWritersBytesAndItsChecksum() throws Exception {
        String id = create("sixteen writers race on one clip");
        String clip = "/api/v1/generations/" + id + "/clips/1";
        // a thumbnail first: the clips then need no ffmpeg extraction in the background
        put("/api/v1/generations/" + id + "/thumbnails/1", "image/jpeg", Samples.jpeg(2_000))
                .statusCode(200);
        List<byte[]> bodies = new ArrayList<>();
        Map<String, Integer> writerOf = new ConcurrentHashMap<>();
        for (int w = 0; w <= WRITERS; w++) { // body 0: the one stored before the race (the "old" bytes)
            byte[] body =
                    Samples.mp4(300_000 + 4_099 * w); // sizes differ too, so a mix of two is never the right length
            bodies.add(body);
            writerOf.put(Samples.sha256(body), w);
        }
        put(clip, "video/mp4", bodies.get(0)).statusCode(200);
        String url = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .statusCode(200)
                .extract()
                .path("clips[0].preview_url");

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        long started = System.nanoTime();
        AtomicBoolean racing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        Set<String> mixed = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(pool.submit(() -> {
                    start.await();
                    while (racing.get()) {
                        HttpResponse<byte[]> got = http.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .timeout(Duration.ofSeconds(30))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        assertEquals(200, got.statusCode(), "a signed read during the race");
                        String sha = Samples.sha256(got.body());
                        if (!writerOf.containsKey(sha)) {
                            mixed.add(got.body().length + " bytes, sha256 " + sha);
                        }
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            List<Future<Integer>> writers = new ArrayList<>();
            for (int w = 1; w <= WRITERS; w++) {
                byte[] body = bodies.get(w);
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < ROUNDS; round++) {
                        int status = given().auth()
                                .oauth2(PIPELINE)
                                .contentType("video/mp4")
                                .body(body)
                                .put(clip)
                                .then()
                                .extract()
                                .statusCode();
                        if (status != 200) {
                            return status;
                        }
                    }
                    return 200;
                }));
            }
            start.countDown();
            for (Future<Integer> writer : writers) {
                assertEquals(200, writer.get(90, TimeUnit.SECONDS), "every racing PUT is stored");
            }
            racing.set(false);
            raceMillis = (System.nanoTime() - started) / 1_000_000;
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
        } finally {
            racing.set(false);
            pool.shutdownNow();
        }
        assertEquals(Set.of(), mixed, "reads during the race (" + reads.get() + ") that were no writer's bytes");
        assertTrue(reads.get() > 0, "readers ran during the race");

        byte[] stored = http.send(
                        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
        String sha = Samples.sha256(stored);
        Integer winner = writerOf.get(sha);
        assertTrue(
                winner != null && winner > 0, "the object is one racing writer's bytes: " + stored.length + " bytes");
        var view = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id)
                .then()
                .statusCode(200)
                .extract();
        assertEquals(
                sha,
                view.path("clips[0].sha256"),
                "the metadata names the stored bytes' SHA-256 (writer " + winner + ")");
        assertEquals(stored.length, (int) view.path("clips[0].size_bytes"));
        // completing takes the recorded checksum in as the clip's
        given().auth()
                .oauth2(PIPELINE)
                .post("/api/v1/generations/" + id + "/complete")
                .then()
                .statusCode(200);
        assertEquals(
                sha,
                given().auth()
                        .oauth2(PIPELINE)
                        .get("/api/v1/generations/" + id)
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("clips[0].sha256"));
        System.out.printf(
                "writer race (%s): %d writers x %d PUTs in %d ms, %d whole reads during the race, writer %d won%n",
                getClass().getSimpleName(), WRITERS, ROUNDS, raceMillis, reads.get(), winner);
    }
}
