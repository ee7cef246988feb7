package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.media.HeldMediaTools;
import io.reelvault.model.CompositionId;
import io.reelvault.model.StorageLayout;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Compositions;
import io.reelvault.support.Poll;
import io.reelvault.support.Samples;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A compression publishing its re-encode while a newer final arrives: the newer final must survive, in the bytes
 * and in the metadata. The media tools are {@link HeldMediaTools}: the publish of the "compressed" file blocks on a
 * named pipe until the test has stored the newer final, so the order is forced, not hoped for.
 */
@QuarkusTest
@TestProfile(CompressionRaceTest.HeldCompression.class)
class CompressionRaceTest {
    static final Duration BOUND = Duration.ofSeconds(60);

    public static class HeldCompression implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(HeldMediaTools.class);
        }
    }

    @Inject
    ObjectStore store;

    @Inject
    ReelvaultConfig config;

    @Test
    void aNewerFinalStoredWhileTheOldOneIsBeingCompressedSurvives() throws Exception {
        String gen = create("compression race");
        String id = Compositions.ofFirstClip(gen);
        given().auth()
                .oauth2(PIPELINE)
                .contentType("image/jpeg")
                .body(Samples.jpeg(800))
                .put("/api/v1/compositions/" + id + "/thumbnail")
                .then()
                .statusCode(200);
        byte[] older = Samples.mp4(40_000);
        given().auth()
                .oauth2(PIPELINE)
                .contentType("video/mp4")
                .body(older)
                .put("/api/v1/compositions/" + id + "/final?compress=true")
                .then()
                .statusCode(200)
                .body("compression.status", equalTo("pending"));

        // the publish of the compressed older final has begun: its write is open and waits for the pipe
        Path temp = config.storage().local().path().resolve(".tmp");
        Poll.until(
                BOUND, "the compressed final being published", () -> HeldMediaTools.pipe() != null && count(temp) > 0);

        byte[] newer = Samples.mp4(30_000);
        CompletableFuture<Response> storing = CompletableFuture.supplyAsync(() -> given().auth()
                .oauth2(PIPELINE)
                .contentType("video/mp4")
                .body(newer)
                .put("/api/v1/compositions/" + id + "/final?compress=false"));
        Poll.until(
                BOUND,
                "the newer final's bytes stored",
                () -> Samples.sha256(newer).equals(Samples.sha256(finalBytes(id))));
        HeldMediaTools.release();

        Response stored = storing.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, stored.statusCode(), stored.asString());
        Path pipe = HeldMediaTools.pipe();
        Poll.until(BOUND, "the compression job done (it deletes its file)", () -> !Files.exists(pipe));
        assertEquals(Samples.sha256(newer), Samples.sha256(finalBytes(id)), "the newer final is what is stored");
        given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/compositions/" + id)
                .then()
                .statusCode(200)
                .body("final_video.sha256", equalTo(Samples.sha256(newer)))
                .body("final_video.size_bytes", equalTo(newer.length));
    }

    private byte[] finalBytes(String id) {
        var content = store.get(StorageLayout.compositionFinal(CompositionId.parse(id)), Optional.empty())
                .await()
                .atMost(BOUND);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.body().subscribe().asIterable().forEach(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.write(a, 0, a.length);
        });
        return out.toByteArray();
    }

    private static long count(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }
}
