package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Uploads.uploadRaw;
import static io.reelvault.support.Users.freshUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Generations;
import io.reelvault.support.Poll;
import io.reelvault.support.Problems;
import io.reelvault.support.RawAnswer;
import io.reelvault.support.Samples;
import io.reelvault.support.SettingsVariantsProfile;
import io.reelvault.support.SlowUpload;
import io.reelvault.support.TestStorageRoot;
import io.reelvault.support.TestTokens;
import io.reelvault.support.Uploads;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients that trickle, stall or pile up request bodies, on the local backend ({@code SlowBodiesApiS3Test} runs
 * them again on S3): a body that sends nothing for the idle timeout (1 s here) is cut with 408 and leaves nothing; a
 * body that keeps sending is never cut; a caller has at most 8 uploads in flight.
 */
@QuarkusTest
@TestProfile(SettingsVariantsProfile.class)
class SlowBodiesApiTest {
    /** How long the test waits for an answer that must come: generous, never a speed requirement. */
    static final Duration ANSWER = Duration.ofSeconds(30);

    @Inject
    ObjectStore store;

    /** Uploads kept alive by {@link #trickle}: a byte every 200 ms each, until the test ends. */
    final List<SlowUpload> trickling = new CopyOnWriteArrayList<>();

    private ScheduledExecutorService trickler;

    void trickle(SlowUpload upload) {
        if (trickler == null) {
            trickler = Executors.newSingleThreadScheduledExecutor();
            trickler.scheduleWithFixedDelay(
                    () -> trickling.forEach(u -> {
                        try {
                            u.send(new byte[] {7});
                        } catch (IOException gone) {
                            trickling.remove(u);
                        }
                    }),
                    200,
                    200,
                    TimeUnit.MILLISECONDS);
        }
        trickling.add(upload);
    }

    @AfterEach
    void stopTrickling() {
        if (trickler != null) {
            trickler.shutdownNow();
            trickler = null;
        }
        trickling.forEach(SlowUpload::close);
        trickling.clear();
    }

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

    /** Nothing half-written remains (a cut write is cleaned up asynchronously: polled). */
    void assertNoPartialWrites() {
        Poll.until(ANSWER, "no temp files", () -> {
            try (Stream<Path> temp = Files.list(TestStorageRoot.path().resolve(".tmp"))) {
                return temp.noneMatch(p -> p.getFileName().toString().startsWith("put-"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Every buffer a cut upload held is given back (S3: the buffer budget). */
    void assertBuffersReleased() {}

    static void assertCut(SlowUpload upload) throws IOException {
        RawAnswer r = upload.response(ANSWER);
        assertEquals(408, r.status(), r.toString());
        assertEquals("request_timeout", r.code(), r.toString());
        assertTrue(r.header("content-type").startsWith("application/problem+json"), r.toString());
        assertTrue(upload.closedByServer(ANSWER), "the connection of a cut body is closed");
    }

    @Test
    void aStalledRawUploadIsCutAndLeavesNothing() throws Exception {
        String user = freshUser("stall-raw");
        try (SlowUpload chunked = SlowUpload.raw(TestTokens.user(user), "a.png", "image/png");
                SlowUpload known = SlowUpload.open(
                        "POST",
                        "/api/v1/uploads?filename=b.png",
                        TestTokens.user(user),
                        "image/png",
                        200_000L,
                        true,
                        ANSWER)) {
            chunked.send(Samples.png(70_000)); // then nothing
            known.send(Samples.png(70_000)); // of 200,000 declared
            assertCut(chunked);
            assertCut(known);
        }
        assertFalse(anyObjectUnder("uploads/" + user + "/"), "nothing of a cut upload is stored");
        assertNoPartialWrites();
        assertBuffersReleased();
    }

    @Test
    void aStalledMultipartUploadIsCutInItsFileOrBeforeIt() throws Exception {
        String user = freshUser("stall-form");
        try (SlowUpload inFile = SlowUpload.multipart(TestTokens.user(user), "a.png", "image/png");
                SlowUpload beforeFile = SlowUpload.open(
                        "POST",
                        "/api/v1/uploads",
                        TestTokens.user(user),
                        "multipart/form-data; boundary=xyz",
                        null,
                        true,
                        ANSWER)) {
            inFile.send(Samples.png(70_000));
            beforeFile.send("--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhel".getBytes());
            assertCut(inFile);
            assertCut(beforeFile);
        }
        assertFalse(anyObjectUnder("uploads/" + user + "/"), "nothing of a cut upload is stored");
        assertNoPartialWrites();
        assertBuffersReleased();
    }

    @Test
    void stalledArtifactsAreCut() throws Exception {
        String job = freshUser("stall-job");
        String gen = Generations.create("a stalled clip " + job);
        try (SlowUpload temp = SlowUpload.open(
                        "PUT",
                        "/api/v1/temp/" + job + "/a.tmp",
                        PIPELINE,
                        "application/octet-stream",
                        null,
                        true,
                        ANSWER);
                SlowUpload clip = SlowUpload.open(
                        "PUT", "/api/v1/generations/" + gen + "/clips/1", PIPELINE, "video/mp4", null, true, ANSWER)) {
            temp.send(new byte[70_000]);
            clip.send(Samples.mp4(70_000));
            assertCut(temp);
            assertCut(clip);
        }
        assertFalse(anyObjectUnder("temp/" + job + "/"), "nothing of a cut temp file is stored");
        assertFalse(anyObjectUnder("generations/" + gen + "/clip"), "nothing of a cut clip is stored");
        assertNoPartialWrites();
        assertBuffersReleased();
    }

    @Test
    void aStalledSignedPutIsCut() throws Exception {
        String user = freshUser("stall-signed");
        String token = TestTokens.user(user);
        var presigned = Uploads.presign(token, "a.png", "image/png", 200_000);
        URI url = URI.create(presigned.path("upload_url"));
        if (!url.getPath().startsWith("/storage/")) {
            return; // S3: the bytes go to the bucket, not through this service
        }
        try (SlowUpload put = SlowUpload.open(
                "PUT", url.getRawPath() + "?" + url.getRawQuery(), null, "image/png", 200_000L, false, ANSWER)) {
            put.send(Samples.png(70_000));
            assertCut(put);
        }
        assertFalse(
                anyObjectUnder("uploads/" + user + "/" + presigned.path("upload_id") + "/original"),
                "nothing of a cut signed PUT is stored");
        assertNoPartialWrites();
    }

    @Test
    void aTrickledJsonBodyDoesNotHoldAWorker() throws Exception {
        // over 10 KiB, so read on a worker thread; it never ends
        try (SlowUpload json = SlowUpload.open(
                "POST",
                "/api/v1/uploads/presign",
                TestTokens.user(freshUser("json")),
                "application/json",
                null,
                false,
                ANSWER)) {
            json.send(Samples.paddedJson("{", 12 * 1024));
            try {
                for (int i = 0; i < 20; i++) { // a byte every 200 ms: never idle, yet too slow
                    Thread.sleep(200);
                    json.send(new byte[] {' '});
                }
            } catch (IOException closed) {
                // the server closed the connection while the client was still sending
            }
            assertTrue(
                    json.closedByServer(ANSWER),
                    "the connection of a JSON body still arriving after the deadline is closed");
            // the worker thread blocked reading it is freed (the test runs in the application's JVM)
            Poll.until(
                    ANSWER,
                    "no thread blocked reading a request body",
                    () -> Thread.getAllStackTraces().values().stream()
                            .flatMap(Stream::of)
                            .noneMatch(frame -> frame.getMethodName().equals("readBlocking")));
        }
    }

    @Test
    void aSlowButSteadyBodyIsNeverCut() throws Exception {
        String user = freshUser("steady");
        try (SlowUpload steady = SlowUpload.raw(TestTokens.user(user), "a.png", "image/png")) {
            steady.send(Samples.png(1000));
            for (int i = 0; i < 12; i++) { // 3 s, three times the idle timeout, a byte every 250 ms
                Thread.sleep(250);
                steady.send(new byte[] {1});
            }
            assertEquals(201, steady.finish().response(ANSWER).status());
        }
        assertTrue(anyObjectUnder("uploads/" + user + "/"));
    }

    @Test
    void aCallerHasAtMostEightUploadsInFlight() throws Exception {
        String user = freshUser("cap");
        String token = TestTokens.user(user);
        // uploads that ended every way gave their slot back: closed by the client, refused, cut, stored
        for (int i = 0; i < 4; i++) {
            SlowUpload.raw(token, "gone.png", "image/png")
                    .send(Samples.png(1000))
                    .close();
        }
        for (int i = 0; i < 4; i++) {
            Problems.problem(uploadRaw(token, "a.png", "image/png", Samples.gif(1000)), 415, "unsupported_media_type");
        }
        List<SlowUpload> stalled = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stalled.add(SlowUpload.raw(token, "stall.png", "image/png").send(Samples.png(1000)));
        }
        for (SlowUpload s : stalled) {
            assertCut(s);
            s.close();
        }
        for (int i = 0; i < 4; i++) {
            uploadRaw(token, "ok.png", "image/png", Samples.png(1000)).statusCode(201);
        }

        List<SlowUpload> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SlowUpload u = openWhenAdmitted(token);
            held.add(u);
            u.send(Samples.png(1000));
            trickle(u);
        }
        for (SlowUpload refused : List.of(
                SlowUpload.raw(token, "ninth.png", "image/png"),
                SlowUpload.multipart(token, "ninth.png", "image/png"))) {
            RawAnswer r = refused.earlyResponse();
            assertNotNull(r, "the ninth upload is refused before its body is read");
            assertEquals(429, r.status(), r.toString());
            assertEquals("too_many_uploads", r.code(), r.toString());
            assertTrue(Integer.parseInt(r.header("retry-after")) >= 1, r.toString());
            refused.close();
        }
        uploadRaw(TestTokens.user(freshUser("cap-other")), "a.png", "image/png", Samples.png(1000))
                .statusCode(201);
        for (SlowUpload u : held) {
            assertFalse(u.answered(), "the eight in flight go on");
        }
        // a pipeline caller has a cap of its own (64): nine of its uploads in flight are all admitted
        String pipeline = TestTokens.pipeline(freshUser("cap-pipeline"));
        List<SlowUpload> pipelines = new ArrayList<>();
        try {
            for (int i = 0; i < 9; i++) {
                SlowUpload u = SlowUpload.raw(pipeline, "clip.png", "image/png");
                pipelines.add(u);
                assertNull(u.earlyResponse(), "a pipeline upload is admitted beyond the users' cap");
                u.send(Samples.png(1000));
                trickle(u);
            }
        } finally {
            pipelines.forEach(u -> {
                trickling.remove(u);
                u.close();
            });
        }

        trickling.remove(held.get(0));
        assertEquals(201, held.get(0).finish().response(ANSWER).status());
        trickling.remove(held.get(1));
        held.get(1).close();
        SlowUpload again = openWhenAdmitted(token);
        SlowUpload another = openWhenAdmitted(token);
        assertEquals(
                201, again.send(Samples.png(1000)).finish().response(ANSWER).status());
        assertEquals(
                201, another.send(Samples.png(1000)).finish().response(ANSWER).status());
        again.close();
        another.close();
    }

    /** A raw upload the server admitted: its slot is given back as soon as an earlier upload ended, which is polled. */
    static SlowUpload openWhenAdmitted(String token) throws Exception {
        List<SlowUpload> opened = new ArrayList<>();
        Poll.until(ANSWER, "an upload slot", () -> {
            try {
                SlowUpload u = SlowUpload.raw(token, "held.png", "image/png");
                if (u.earlyResponse() == null) {
                    opened.add(u);
                    return true;
                }
                assertEquals(429, u.earlyResponse().status(), u.earlyResponse().toString());
                u.close();
                return false;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertNull(opened.get(0).earlyResponse());
        return opened.get(0);
    }
}
