package io.reelvault.service.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.LocalHeads;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectStore;
import io.reelvault.support.ForwardingObjectStore;
import io.reelvault.support.LocalRoots;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MetadataStore#read} on a store with local heads ({@link LocalHeads}) keeps the bytes it read with their ETag:
 * the next read of the same version heads the object instead of reading it again, and any other version, a deletion or
 * another replica's write through the same root, is read afresh. Without local heads every read reads.
 */
class MetadataStoreCacheTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectKey KEY = ObjectKey.parse("uploads/u/upload_20261204_aaaaaaaaaaaaaaaa/metadata.json");

    record Doc(String name, List<String> items) {}

    /** Immutable values only, as {@code UploadMetadata}: one parsed instance may serve every reader. */
    record Flat(String name, long size, Instant at, Boolean flag) {}

    @TempDir
    Path root;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicInteger reads = new AtomicInteger();

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    /** The local store, its reads counted; its capabilities passed on when {@code localHeads}. */
    private MetadataStore metadata(boolean localHeads) {
        ObjectStore local = LocalRoots.open(root, pool, Clock.systemUTC(), localHeads);
        ObjectStore counted = new ForwardingObjectStore(local) {
            @Override
            public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
                reads.incrementAndGet();
                return delegate.get(key, range);
            }

            @Override
            public <T> Optional<T> capability(Class<T> type) {
                return delegate.capability(type);
            }
        };
        return new MetadataStore(counted, new ObjectMapper().findAndRegisterModules());
    }

    private Doc read(MetadataStore metadata) {
        return metadata.read(KEY, Doc.class).await().atMost(WAIT);
    }

    @Test
    void theSameVersionIsReadOnceThenHeadedAndAnyOtherVersionIsReadAgain() throws Exception {
        MetadataStore metadata = metadata(true);
        metadata.write(KEY, new Doc("first", List.of("a"))).await().atMost(WAIT);
        assertEquals(new Doc("first", List.of("a")), read(metadata));
        assertEquals(new Doc("first", List.of("a")), read(metadata));
        assertEquals(new Doc("first", List.of("a")), read(metadata));
        assertEquals(1, reads.get(), "read once, then headed");

        // another replica (another store on the same root) replaces it: a new version, read again
        MetadataStore other = new MetadataStore(LocalRoots.open(root, pool, Clock.systemUTC()), new ObjectMapper());
        other.update(KEY, Doc.class, "doc", d -> Uni.createFrom().item(new Doc("second", d.items())))
                .await()
                .atMost(WAIT);
        assertEquals(new Doc("second", List.of("a")), read(metadata));
        assertEquals(2, reads.get());

        // replaced behind the service's back by a rename of another file of the same size: a new version too
        Path file = root.resolve(KEY.value());
        Path swap = Files.writeString(
                root.resolve("swap.json"), Files.readString(file).replace("second", "third!"));
        Files.move(swap, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(new Doc("third!", List.of("a")), read(metadata));
        assertEquals(3, reads.get());

        // deleted: not found, never the kept bytes
        LocalRoots.open(root, pool, Clock.systemUTC()).delete(KEY).await().atMost(WAIT);
        ReelvaultException gone = assertThrows(ReelvaultException.class, () -> read(metadata));
        assertEquals(ErrorCode.NOT_FOUND, gone.code());
    }

    @Test
    void aDocumentDamagedInPlaceAfterItWasReadIsReadAgainAndFails() throws Exception {
        MetadataStore metadata = metadata(true);
        metadata.write(KEY, new Doc("first", List.of("a"))).await().atMost(WAIT);
        read(metadata);
        // bit rot written in place: same inode and size, a new modification time (a write), so a new ETag
        Thread.sleep(5);
        try (FileChannel ch = FileChannel.open(root.resolve(KEY.value()), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'X'}), 2);
        }
        Throwable failure = assertThrows(Throwable.class, () -> read(metadata));
        assertTrue(
                String.valueOf(failure).contains("Integrity")
                        || failure.getClass().getSimpleName().contains("Integrity"),
                String.valueOf(failure));
        assertEquals(2, reads.get(), "read again, and the damage found");
    }

    @Test
    void withoutLocalHeadsEveryReadReads() {
        MetadataStore metadata = metadata(false);
        metadata.write(KEY, new Doc("first", List.of("a"))).await().atMost(WAIT);
        read(metadata);
        read(metadata);
        assertEquals(2, reads.get());
    }

    @Test
    void aRecordOfImmutableValuesIsParsedOncePerVersionAndOneWithAListForEachReader() {
        MetadataStore metadata = metadata(true);
        Flat flat = new Flat("first", 7, Instant.parse("2026-12-04T10:00:00Z"), true);
        metadata.write(KEY, flat).await().atMost(WAIT);
        Flat first = metadata.read(KEY, Flat.class).await().atMost(WAIT);
        assertEquals(flat, first);
        assertSame(first, metadata.read(KEY, Flat.class).await().atMost(WAIT), "the same version: the same document");

        metadata.update(KEY, Flat.class, "flat", f -> Uni.createFrom().item(new Flat("second", 8, f.at(), false)))
                .await()
                .atMost(WAIT);
        Flat second = metadata.read(KEY, Flat.class).await().atMost(WAIT);
        assertEquals(new Flat("second", 8, flat.at(), false), second);
        assertSame(second, metadata.read(KEY, Flat.class).await().atMost(WAIT));

        // a list inside: each reader gets its own parse (one of them could change it under the others)
        ObjectKey listed = ObjectKey.parse("uploads/u/upload_20261204_bbbbbbbbbbbbbbbb/metadata.json");
        metadata.write(listed, new Doc("first", List.of("a"))).await().atMost(WAIT);
        Doc one = metadata.read(listed, Doc.class).await().atMost(WAIT);
        Doc two = metadata.read(listed, Doc.class).await().atMost(WAIT);
        assertEquals(one, two);
        assertNotSame(one, two);
        assertFalse(MetadataStore.SHAREABLE.get(Doc.class));
        assertTrue(MetadataStore.SHAREABLE.get(Flat.class));
        assertTrue(MetadataStore.SHAREABLE.get(io.reelvault.service.upload.UploadMetadata.class));
    }
}
