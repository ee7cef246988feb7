package io.reelvault.service.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.LocalRoots;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MetadataStore#update} against the real local backend, with "another replica" writing the document while an
 * update is between its read and its write: the update is applied again to the other replica's version (nothing of
 * either is lost), and an update that loses every race gives up after {@value MetadataStore#MAX_ATTEMPTS} attempts.
 */
class MetadataStoreTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectKey KEY = ObjectKey.parse("generations/gen_20261203_aaaaaaaaaaaaaaaa/metadata.json");

    record Doc(List<String> items) {
        Doc with(String item) {
            List<String> more = new ArrayList<>(items);
            more.add(item);
            return new Doc(more);
        }
    }

    @TempDir
    Path root;

    ExecutorService pool;
    ObjectStore store;
    MetadataStore metadata;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(4);
        store = LocalRoots.open(root, pool, Clock.systemUTC());
        metadata = new MetadataStore(store, new ObjectMapper());
        metadata.write(KEY, new Doc(List.of("created"))).await().atMost(WAIT);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    /** What another replica does meanwhile: its own read-modify-write, completed. */
    private void otherReplicaAdds(String item) {
        metadata.update(KEY, Doc.class, "doc", d -> Uni.createFrom().item(d.with(item)))
                .await()
                .atMost(WAIT);
    }

    @Test
    void anUpdateThatLostARaceIsAppliedToTheWinnersVersion() {
        AtomicInteger attempts = new AtomicInteger();
        Doc done = metadata.update(KEY, Doc.class, "doc", d -> {
                    if (attempts.incrementAndGet() == 1) {
                        otherReplicaAdds("theirs"); // between our read and our write
                    }
                    return Uni.createFrom().item(d.with("ours"));
                })
                .await()
                .atMost(WAIT);
        assertEquals(2, attempts.get(), "the first write lost its race and the change ran again");
        assertEquals(List.of("created", "theirs", "ours"), done.items());
        assertEquals(done, metadata.read(KEY, Doc.class).await().atMost(WAIT), "both updates are stored");
    }

    @Test
    void anUpdateThatLosesEveryRaceGivesUpWithRetryAfter() {
        AtomicInteger attempts = new AtomicInteger();
        ReelvaultException failed = assertThrows(
                ReelvaultException.class,
                () -> metadata.update(KEY, Doc.class, "doc", d -> {
                            otherReplicaAdds("theirs-" + attempts.incrementAndGet());
                            return Uni.createFrom().item(d.with("ours"));
                        })
                        .await()
                        .atMost(WAIT));
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, failed.code());
        assertEquals("1", failed.headers().get("Retry-After"));
        assertEquals(MetadataStore.MAX_ATTEMPTS, attempts.get());
        List<String> stored = metadata.read(KEY, Doc.class).await().atMost(WAIT).items();
        assertEquals(MetadataStore.MAX_ATTEMPTS + 1, stored.size(), "every other update stored, ours not: " + stored);
    }

    @Test
    void anUnchangedDocumentIsNotWritten() {
        String before = store.head(KEY).await().atMost(WAIT).orElseThrow().etag();
        metadata.update(KEY, Doc.class, "doc", d -> Uni.createFrom().item(d))
                .await()
                .atMost(WAIT);
        assertEquals(before, store.head(KEY).await().atMost(WAIT).orElseThrow().etag());
    }

    @Test
    void aMissingDocumentIsNotFoundByItsName() {
        ReelvaultException missing = assertThrows(
                ReelvaultException.class,
                () -> metadata.update(
                                ObjectKey.parse("generations/gen_20261203_bbbbbbbbbbbbbbbb/metadata.json"),
                                Doc.class,
                                "generation",
                                d -> Uni.createFrom().item(d))
                        .await()
                        .atMost(WAIT));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
    }
}
