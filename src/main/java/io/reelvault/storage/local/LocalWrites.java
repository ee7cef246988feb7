package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.IncompleteWrites;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The local backend's writes: the body streamed into a temp file under {@code {root}/.tmp} on the blocking executor,
 * then renamed into place ({@link PendingWrite}); a conditional write compares and renames under the key's lock
 * ({@link KeyLocks}). Writes in progress are tracked, so that the end of a graceful shutdown can abort them
 * ({@link PendingWrites}); the temp files of writes whose process died are found by their unheld locks
 * ({@link IncompleteWrites}). A full disk fails a write with {@code insufficient_storage}, its temp file removed.
 */
final class LocalWrites {
    /**
     * Buffers queued for the writer at most (back-pressure beyond: the memory a write holds stays constant). The
     * writer's thread takes every buffer queued in one go, and {@link PendingWrite} gathers them into large writes.
     */
    private static final int WRITE_BUFFERED_CHUNKS = 16;

    private final SecurePaths paths;
    private final LocalFiles files;
    private final Path tempDir;
    private final LocalIo io;
    private final KeyLocks keyLocks;
    private final boolean digests;
    /**
     * {@link PendingWrite#directBlockSize} of the temp folder when {@code O_DIRECT} was asked for; 0 for ordinary
     * writes: not asked for, or a file could not be opened so.
     */
    private volatile int directBlock;
    /**
     * {@link PendingWrite#directBlockSize} of the temp folder whatever was asked for new objects: tus appends take
     * {@code O_DIRECT} where the filesystem does ({@link AppendingWrite}). Each append ends in its own fsync, so the
     * sync behind a new object's write would not help an append of a few MiB, while bytes already on their way to the
     * disk do: bench/tus.sh (1 GiB, local, 3 runs, two rounds alternating): 5 MiB chunks 281-309 MB/s with
     * {@code O_DIRECT}, 259-261 as ordinary writes; 50 MiB chunks 412-451 and 390-400.
     */
    private final int appendBlock;

    private final Set<PendingWrite> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    /**
     * @param digests whether the filesystem keeps each object's SHA-256 and CRC32C ({@link StoredDigest#supported})
     * @param direct  whether to write with {@code O_DIRECT} where {@code tempDir}'s filesystem takes it (probed here);
     *                otherwise ordinary writes, synced behind ({@link PendingWrite#syncBehind})
     */
    LocalWrites(SecurePaths paths, LocalFiles files, Path tempDir, LocalIo io, boolean digests, boolean direct) {
        this.paths = paths;
        this.files = files;
        this.tempDir = tempDir;
        this.io = io;
        this.keyLocks = new KeyLocks(paths.root());
        this.digests = digests;
        this.appendBlock = PendingWrite.directBlockSize(tempDir);
        this.directBlock = direct ? appendBlock : 0;
    }

    /** The {@code O_DIRECT} block size of tus appends on this root's filesystem, 0 when it takes none. */
    int appendBlock() {
        return appendBlock;
    }

    /** Whether new writes open their temp file with {@code O_DIRECT}. */
    boolean direct() {
        return directBlock > 0;
    }

    /** @param expectedEtag null: unconditional; otherwise the condition of {@link LocalObjectStore#putIf} */
    Uni<PutResult> write(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, Optional<String> expectedEtag) {
        Path target = paths.resolve(key);
        if (body instanceof AdoptableBody whole && adoptable(whole, length)) {
            return adopt(whole, key, target, expectedEtag);
        }
        return stream(body, length, write -> {
            String sha256 = write.sha256();
            return new PutResult(commit(write, key, target, expectedEtag), sha256);
        });
    }

    /** Whether the store can take the body's file as the object: a file under this root, of the expected length. */
    private boolean adoptable(AdoptableBody whole, OptionalLong length) {
        return whole.source(Path.class)
                        .filter(file -> file.startsWith(paths.root()))
                        .isPresent()
                && (length.isEmpty() || length.getAsLong() == whole.length());
    }

    /**
     * The body's file made the object without copying it: its first bytes checked ({@link AdoptableBody#checkHead}),
     * hashed in one read, then committed by the same rename (and under the same condition) as a written temp file. A
     * refusal or failure before the rename leaves the file where it was, its owner's.
     */
    private Uni<PutResult> adopt(AdoptableBody whole, ObjectKey key, Path target, Optional<String> expectedEtag) {
        return io.blocking(() -> {
                    if (stopped) {
                        throw stopping();
                    }
                    PendingWrite write =
                            PendingWrite.adopt(whole.source(Path.class).orElseThrow(), digests, whole.digest());
                    pending.add(write);
                    try {
                        if (write.written() != whole.length()) {
                            throw lengthMismatch(whole.length());
                        }
                        whole.checkHead(write.head(whole.headBytes()));
                        String sha256 = write.sha256();
                        return new PutResult(commit(write, key, target, expectedEtag), sha256);
                    } catch (IOException | RuntimeException e) {
                        write.abort();
                        throw e;
                    } finally {
                        pending.remove(write);
                    }
                })
                .onFailure(UncheckedIOException.class)
                .transform(LocalIo::unavailable);
    }

    /** What a written temp file becomes: called on the blocking executor once the body was written whole. */
    interface Commit<T> {
        T commit(PendingWrite write) throws IOException;
    }

    /**
     * The body streamed into a new temp file (at most {@code length} bytes when given, exactly that many at the end),
     * then handed to {@code commit}; on any failure or cancellation the temp file is removed.
     */
    <T> Uni<T> stream(Multi<ByteBuffer> body, OptionalLong length, Commit<T> commit) {
        // a request cancelled while its temp file is being opened (the client vanished) never reaches the body stage
        // below, whose handlers abort a write: the opened write is aborted here instead, whichever comes second
        AtomicReference<PendingWrite> opened = new AtomicReference<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        Uni<PendingWrite> open = io.blocking(() -> {
                    PendingWrite write = openWrite();
                    opened.set(write);
                    if (cancelled.get()) {
                        discard(write);
                    }
                    return write;
                })
                .onCancellation()
                .invoke(() -> {
                    cancelled.set(true);
                    PendingWrite write = opened.get();
                    if (write != null) {
                        io.executor().execute(() -> discard(write));
                    }
                });
        return open.onItem()
                .transformToUni(write -> body.emitOn(io.executor(), WRITE_BUFFERED_CHUNKS)
                        .onItem()
                        .invoke(buffer -> {
                            long written = LocalIo.io(() -> write.write(buffer));
                            if (length.isPresent() && written > length.getAsLong()) {
                                throw lengthMismatch(length.getAsLong());
                            }
                        })
                        .collect()
                        .last()
                        .emitOn(io.executor())
                        .onItem()
                        .transform(ignored -> {
                            if (length.isPresent() && write.written() != length.getAsLong()) {
                                throw lengthMismatch(length.getAsLong());
                            }
                            return LocalIo.io(() -> commit.commit(write));
                        })
                        .onFailure()
                        .invoke(write::abort)
                        .onCancellation()
                        .invoke(() -> io.executor().execute(write::abort))
                        .onTermination()
                        .invoke(() -> pending.remove(write)))
                .onFailure(e -> stopped && e instanceof CancellationException)
                .transform(e -> stopping())
                .onFailure(UncheckedIOException.class)
                .transform(LocalIo::unavailable);
    }

    /**
     * Renames the written temp file into place, under the key's lock when {@code expectedEtag} is a condition (see
     * {@link LocalObjectStore#putIf}).
     *
     * @return what this write put there: the target itself may already hold a racing writer's object
     */
    private ObjectInfo commit(PendingWrite write, ObjectKey key, Path target, Optional<String> expectedEtag)
            throws IOException {
        if (expectedEtag == null) {
            return ObjectFiles.info(key, write.commit(target, files));
        }
        return keyLocks.withLock(key, () -> {
            Optional<BasicFileAttributes> current = ObjectFiles.attributes(target);
            Optional<String> etag = current.map(a -> ObjectFiles.info(key, a).etag());
            if (!etag.equals(expectedEtag)) {
                throw new PreconditionFailedException(
                        expectedEtag.isPresent()
                                ? "the object changed since it was read"
                                : "an object is already there");
            }
            return ObjectFiles.info(
                    key, write.commit(target, files, current.map(BasicFileAttributes::lastModifiedTime)));
        });
    }

    /**
     * {@link io.reelvault.storage.ObjectMoves#move}: under {@code to}'s lock (as a conditional write holds it), the
     * source is compared with {@code ifMatch}, its modification time moved past the replaced object's (a fresh ETag),
     * then it is renamed over {@code to} (atomic, same filesystem: its recorded SHA-256 and CRC32C go with it) and the
     * folder fsynced.
     */
    Uni<ObjectInfo> move(ObjectKey from, String ifMatch, ObjectKey to) {
        Path source = paths.resolve(from);
        Path target = paths.resolve(to);
        return io.blocking(() -> keyLocks.withLock(to, () -> {
            BasicFileAttributes found =
                    ObjectFiles.attributes(source).orElseThrow(() -> ReelvaultException.notFound("object"));
            if (!ObjectFiles.info(from, found).etag().equals(ifMatch)) {
                throw new PreconditionFailedException("the object changed since it was verified");
            }
            Optional<BasicFileAttributes> current = ObjectFiles.attributes(target);
            if (current.isPresent()
                    && found.lastModifiedTime().compareTo(current.get().lastModifiedTime()) <= 0) {
                Files.setLastModifiedTime(
                        source,
                        FileTime.from(
                                current.get().lastModifiedTime().toInstant().plusMillis(1)));
            }
            BasicFileAttributes moved =
                    Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            files.moveIntoPlace(source, target);
            return ObjectFiles.info(to, moved);
        }));
    }

    private void discard(PendingWrite write) {
        write.abort();
        pending.remove(write);
    }

    /** A new temp file, tracked until its write ends; none once the store has stopped. */
    private PendingWrite openWrite() throws IOException {
        if (stopped) {
            throw stopping();
        }
        int block = directBlock;
        PendingWrite write = PendingWrite.open(tempDir, digests, block);
        if (block > 0 && !write.direct()) {
            directBlock = 0; // this filesystem refuses O_DIRECT: not tried again
        }
        pending.add(write);
        if (stopped) { // abortAll may have iterated before the add: never leave a write it did not see
            write.abort();
            pending.remove(write);
            throw stopping();
        }
        return write;
    }

    /** {@link PendingWrites#abortAll}: every write in progress aborted, and none accepted from now on. */
    int abortAll() {
        stopped = true;
        int aborted = 0;
        for (PendingWrite write : pending) {
            if (write.abort()) {
                aborted++;
            }
            pending.remove(write);
        }
        return aborted;
    }

    /**
     * Removes the temp files under {@code {root}/.tmp} that no write is using: not one of this process's writes, last
     * modified before {@code inactiveSince}, and not locked by another process (every write holds an OS lock on its
     * temp file while it streams, {@link PendingWrite}; the kernel drops the locks of a process that dies). The age
     * covers the instant between a temp file's creation and its lock, and filesystems whose locks do not work.
     */
    int removeAbandoned(Instant inactiveSince) {
        Set<Path> ours = pending.stream().map(PendingWrite::temp).collect(Collectors.toSet());
        int removed = 0;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(tempDir)) {
            for (Path temp : temps) {
                Optional<BasicFileAttributes> attrs = ObjectFiles.attributes(temp);
                if (ours.contains(temp)
                        || attrs.isEmpty()
                        || !attrs.get().lastModifiedTime().toInstant().isBefore(inactiveSince)) {
                    continue;
                }
                if (PendingWrite.removeIfAbandoned(temp)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the temp folder " + tempDir, e);
        }
        return removed;
    }

    private static ReelvaultException stopping() {
        return new ReelvaultException(
                ErrorCode.SHUTTING_DOWN,
                "the service stopped before the upload completed; nothing of it was stored",
                null,
                Map.of("Retry-After", "1"));
    }

    private static ReelvaultException lengthMismatch(long declared) {
        return new ReelvaultException(ErrorCode.LENGTH_MISMATCH, "the body is not the declared " + declared + " bytes");
    }
}
