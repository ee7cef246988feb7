package io.reelvault.api;

import static io.reelvault.support.Generations.PIPELINE;
import static io.reelvault.support.Generations.create;
import static io.reelvault.support.Generations.put;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.reelvault.model.ClipNumber;
import io.reelvault.model.GenerationId;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.Poll;
import io.reelvault.support.RedisResource;
import io.reelvault.support.S3RedisProfile;
import io.reelvault.support.Samples;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12, item 3, the interleaving a race test only meets by chance, made certain across "replicas": writer A's
 * clip is stored, then, before A's metadata update runs, another replica stores its own bytes and records them
 * (the test plays that replica, holding the document's Redis lease meanwhile, so A's update waits). A's update must
 * not then record A's checksum over B's object. Before the fix it did: the metadata named A's 50,000 bytes while the
 * object held B's 60,000, so no checksum was shown for the clip at all.
 */
@QuarkusTest
@TestProfile(S3RedisProfile.class)
class WriterRaceRedisS3Test {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    ObjectStore store;

    @Inject
    ObjectMapper json;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriterOvertakenByAnotherReplicaLeavesTheRecordToIt() throws Exception {
        GenerationId id = GenerationId.parse(create("a writer overtaken by another replica"));
        String clip = "/api/v1/generations/" + id.value() + "/clips/1";
        put("/api/v1/generations/" + id.value() + "/thumbnails/1", "image/jpeg", Samples.jpeg(2_000))
                .statusCode(200);
        ObjectKey clipKey = StorageLayout.clip(id, new ClipNumber(1));
        ObjectKey metaKey = StorageLayout.generationMetadata(id);
        byte[] a = Samples.mp4(50_000);
        byte[] b = Samples.mp4(60_000);
        String lease = "reelvault:lease:" + metaKey.value();
        assertEquals("+OK", RedisResource.server().command("SET", lease, "the-other-replica", "PX", "20000"));
        CompletableFuture<String> writerA;
        try {
            writerA = CompletableFuture.supplyAsync(() -> {
                var answer = put(clip, "video/mp4", a).extract();
                return answer.statusCode() + " " + answer.asString();
            });
            Poll.until(
                    WAIT,
                    "A's bytes stored (its metadata update then waits for the lease)",
                    () -> store.head(clipKey)
                            .await()
                            .atMost(WAIT)
                            .map(o -> o.size() == a.length)
                            .orElse(false));
            // the other replica: its write, then its update under the lease
            store.put(clipKey, Multi.createFrom().item(ByteBuffer.wrap(b)), OptionalLong.of(b.length), "video/mp4")
                    .await()
                    .atMost(WAIT);
            ObjectNode meta = (ObjectNode) json.readTree(read(metaKey));
            ArrayNode clips = meta.withArray("clips");
            clips.removeAll();
            clips.addObject()
                    .put("clip", 1)
                    .put("key", clipKey.value())
                    .put("size_bytes", b.length)
                    .put("sha256", Samples.sha256(b))
                    .put("thumbnail", "uploaded");
            byte[] document = json.writeValueAsBytes(meta);
            store.put(
                            metaKey,
                            Multi.createFrom().item(ByteBuffer.wrap(document)),
                            OptionalLong.of(document.length),
                            "application/json")
                    .await()
                    .atMost(WAIT);
        } finally {
            RedisResource.server().command("DEL", lease);
        }
        String answerA = writerA.get(30, TimeUnit.SECONDS);
        assertTrue(answerA.startsWith("200 "), "A's PUT succeeded: its bytes were stored, then replaced: " + answerA);
        var view = given().auth()
                .oauth2(PIPELINE)
                .get("/api/v1/generations/" + id.value())
                .then()
                .statusCode(200)
                .extract();
        assertEquals(b.length, (int) view.path("clips[0].size_bytes"), "the object is B's");
        assertEquals(
                Samples.sha256(b), view.path("clips[0].sha256"), "the metadata names the stored bytes, B's, not A's");
    }

    private byte[] read(ObjectKey key) {
        var content = store.get(key, Optional.empty()).await().atMost(WAIT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.body().subscribe().asIterable().forEach(buffer -> {
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            out.writeBytes(chunk);
        });
        return out.toByteArray();
    }
}
