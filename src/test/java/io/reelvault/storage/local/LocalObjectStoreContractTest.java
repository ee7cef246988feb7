package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.KeyPrefix;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ObjectStoreContract;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PutResult;
import io.reelvault.support.Poll;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared contract on the filesystem backend, plus what only a filesystem can show. */
class LocalObjectStoreContractTest extends ObjectStoreContract {
    @TempDir
    Path root;

    private ExecutorService pool;
    private LocalObjectStore store;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(4);
        store = LocalObjectStore.open(
                root,
                pool,
                new LocalUrlSigner(
                        "contract-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                        URI.create("http://localhost"),
                        Clock.systemUTC()));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    /**
     * After every contract test, whatever it wrote and by whichever write: each object there records the SHA-256 and
     * the CRC32C of its bytes ({@link StoredDigest}), which full reads and the scrub check. Files a test wrote behind
     * the store's back (no attribute at all) are left out.
     */
    @AfterEach
    void everyObjectRecordsItsSha256AndCrc32c() throws Exception {
        assertTrue(StoredDigest.supported(root), "the test's filesystem keeps extended attributes");
        Path temp = root.resolve(LocalObjectStore.TEMP_DIR);
        List<Path> objects;
        try (Stream<Path> all = Files.walk(root)) {
            objects = all.filter(p -> !p.startsWith(temp) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .toList();
        }
        for (Path object : objects) {
            StoredDigest.Recorded recorded = StoredDigest.readAll(object);
            if (recorded.equals(StoredDigest.Recorded.NONE)) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(object);
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertEquals(
                    new StoredDigest.Recorded(
                            Optional.of(HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(bytes))),
                            Optional.of(StoredDigest.crc32cHex(crc.getValue()))),
                    recorded,
                    root.relativize(object).toString());
        }
    }

    @Override
    protected ObjectStore store() {
        return store;
    }

    @Override
    protected void assertNoLeftovers() {
        try (Stream<Path> temp = Files.list(root.resolve(LocalObjectStore.TEMP_DIR))) {
            assertEquals(List.of(), temp.toList(), "no temp files remain");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A crash leaves temp files; they are not removed at start (replicas sharing the root may be writing theirs), but
     * by the incomplete-write sweep, and only those no write holds: not this process's writes, not another store's
     * (a replica's) write whose lock is held, not a file younger than the grace; a file that nobody locks and that
     * is old enough is removed.
     */
    @Test
    void onlyTempFilesThatNoWriteHoldsAreRemovedAsAbandoned() throws Exception {
        Path tmp = root.resolve(LocalObjectStore.TEMP_DIR);
        Instant old = Instant.now().minus(Duration.ofHours(2));
        Path crashed = Files.writeString(tmp.resolve("put-1.part"), "half");
        Files.setLastModifiedTime(crashed, FileTime.from(old));
        Path young = Files.writeString(tmp.resolve("put-2.part"), "just created");
        LocalObjectStore.open(root, pool, null);
        assertTrue(Files.exists(crashed), "not at start");

        LocalObjectStore replica = LocalObjectStore.open(root, pool, null);
        AtomicReference<MultiEmitter<? super ByteBuffer>> ours = new AtomicReference<>();
        AtomicReference<MultiEmitter<? super ByteBuffer>> theirs = new AtomicReference<>();
        store.put(key("temp/j/ours.tmp"), Multi.createFrom().<ByteBuffer>emitter(ours::set), OptionalLong.of(3), "x")
                .subscribeAsCompletionStage();
        replica.put(
                        key("temp/j/theirs.tmp"),
                        Multi.createFrom().<ByteBuffer>emitter(theirs::set),
                        OptionalLong.of(3),
                        "x")
                .subscribeAsCompletionStage();
        Poll.until(
                WAIT,
                "both writes streaming",
                () -> ours.get() != null && theirs.get() != null && tempFiles().size() == 4);
        for (Path p : tempFiles()) {
            if (!p.equals(young)) {
                Files.setLastModifiedTime(p, FileTime.from(old)); // stalled as long as the crashed one
            }
        }

        assertEquals(1, store.removeAbandoned(Instant.now().minus(Duration.ofMinutes(1))));
        assertEquals(false, Files.exists(crashed));
        assertEquals(3, tempFiles().size(), "ours, the replica's (locked) and the young one stay: " + tempFiles());
        replica.abortAll();
        store.abortAll();
    }

    @Test
    void aWriteStillOpenAtStopIsAbortedAndLaterWritesAreRefused() throws Exception {
        AtomicReference<MultiEmitter<? super ByteBuffer>> body = new AtomicReference<>();
        CompletableFuture<PutResult> cut = store.put(
                        key("uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png"),
                        Multi.createFrom().<ByteBuffer>emitter(body::set),
                        OptionalLong.of(3),
                        "image/png")
                .subscribeAsCompletionStage();
        Poll.until(WAIT, "the body subscribed", () -> body.get() != null);
        body.get().emit(ByteBuffer.wrap(new byte[] {1}));
        Poll.until(WAIT, "a temp file being written", () -> !tempFiles().isEmpty());

        assertEquals(1, store.capability(PendingWrites.class).orElseThrow().abortAll());
        assertEquals(List.of(), tempFiles(), "the temp file is gone at once");
        body.get().emit(ByteBuffer.wrap(new byte[] {2})); // the client's next bytes find the write aborted
        ExecutionException failed =
                assertThrows(ExecutionException.class, () -> cut.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(
                failed.getCause() instanceof ReelvaultException r && r.code() == ErrorCode.SHUTTING_DOWN,
                failed.toString());
        assertEquals(false, Files.exists(root.resolve("uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png")));

        ReelvaultException later = assertThrows(ReelvaultException.class, () -> put("temp/j/later.tmp", new byte[1]));
        assertEquals(ErrorCode.SHUTTING_DOWN, later.code());
        assertEquals(List.of(), tempFiles());
        assertEquals(0, store.capability(PendingWrites.class).orElseThrow().abortAll(), "idempotent");
    }

    private List<Path> tempFiles() {
        try (Stream<Path> temp = Files.list(root.resolve(LocalObjectStore.TEMP_DIR))) {
            return temp.toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A conditional write moves the new file's modification time past the old one's: rewrites of identical bytes
     * in quick succession (within one tick of the filesystem's clock, inode numbers reused) still get an ETag each,
     * so a writer holding an old ETag can never match a newer version. The lock files stay outside the key space.
     */
    @Test
    void conditionalRewritesOfTheSameBytesNeverRepeatAnEtag() {
        byte[] same = randomBytes(200, 70);
        String etag = put("generations/g2/metadata.json", same).etag();
        Set<String> seen = new HashSet<>(List.of(etag));
        for (int i = 0; i < 30; i++) {
            etag = putIf("generations/g2/metadata.json", Optional.of(etag), same)
                    .info()
                    .etag();
            assertEquals(true, seen.add(etag), "a new ETag for version " + (i + 2) + ": " + etag);
        }
        assertEquals(true, Files.isDirectory(root.resolve(".locks/keys")), "the key locks live under .locks");
        assertEquals(
                List.of("generations/g2/metadata.json"),
                list("", null).stream().map(o -> o.key().value()).toList());
    }

    @Test
    void writesAreOrdinaryUnlessDirectWritesAreAskedForAndStoreTheSameBytesEitherWay() throws IOException {
        byte[] body = randomBytes(3 * WriteBuffers.BYTES + 123, 71); // whole batches and a tail
        assertEquals(false, store.directWrites(), "ordinary writes, synced behind, by default");
        put("compositions/c1/final.mp4", body);
        assertArrayEquals(body, Files.readAllBytes(root.resolve("compositions/c1/final.mp4")));
        Path other = TargetFolders.create("direct-writes");
        try {
            LocalObjectStore direct = LocalObjectStore.open(other, pool, null, 0, true, true);
            assertEquals(
                    PendingWrite.directBlockSize(other.resolve(LocalObjectStore.TEMP_DIR)) > 0,
                    direct.directWrites(),
                    "O_DIRECT when asked for, where the filesystem takes it");
            direct.put(
                            key("compositions/c1/final.mp4"),
                            Multi.createFrom().item(ByteBuffer.wrap(body)),
                            OptionalLong.of(body.length),
                            "video/mp4")
                    .await()
                    .atMost(WAIT);
            assertArrayEquals(body, Files.readAllBytes(other.resolve("compositions/c1/final.mp4")), "the same bytes");
        } finally {
            TargetFolders.delete(other);
        }
    }

    @Test
    void deletesPruneEmptyFoldersButKeepTheArea() {
        put("generations/g1/clips/clip_001.mp4", new byte[10]);
        store.delete(key("generations/g1/clips/clip_001.mp4")).await().atMost(WAIT);
        assertEquals(false, Files.exists(root.resolve("generations/g1")));
        assertEquals(true, Files.isDirectory(root.resolve("generations")));
    }

    @Test
    void objectsAreFilesAtTheirKeyUnderTheRoot() throws IOException {
        put("compositions/c1/final.mp4", new byte[] {1, 2, 3});
        assertEquals(3, Files.size(root.resolve("compositions/c1/final.mp4")));
    }

    @Test
    void aFolderDeletedWhileAListingIsUnderWayIsSkipped() throws IOException {
        // more than one page (1000) in the first folder, so the walk stops inside it with the next folder pending
        Files.createDirectories(root.resolve("temp/a"));
        for (int i = 0; i < 1001; i++) {
            Files.write(root.resolve(String.format("temp/a/f-%04d.tmp", i)), new byte[] {1});
        }
        put("temp/b/gone.tmp", new byte[1]);
        put("temp/c/kept.tmp", new byte[1]);
        var listing = store.list(new KeyPrefix("temp/"), Optional.empty())
                .subscribe()
                .asIterable()
                .iterator();
        assertEquals("temp/a/f-0000.tmp", listing.next().key().value());
        store.delete(key("temp/b/gone.tmp")).await().atMost(WAIT); // prunes temp/b, already seen by the walk
        List<String> rest = new ArrayList<>();
        listing.forEachRemaining(o -> rest.add(o.key().value()));
        assertEquals(1001, rest.size());
        assertEquals("temp/c/kept.tmp", rest.get(rest.size() - 1));
    }

    @Test
    void listingSkipsFilesThatAreNotValidKeys() throws IOException {
        put("temp/j/ok.tmp", new byte[1]);
        Files.writeString(root.resolve("temp/j/bad name.tmp"), "x");
        Files.writeString(root.resolve("temp/j/.hidden"), "x");
        Files.writeString(root.resolve("stray.txt"), "x");
        assertEquals(
                List.of("temp/j/ok.tmp"),
                list("", null).stream().map(o -> o.key().value()).toList());
    }
}
