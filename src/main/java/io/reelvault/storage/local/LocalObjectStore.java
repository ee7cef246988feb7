package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.FileType;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.ResolvedRange;
import io.reelvault.storage.IncompleteWrites;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.ReadinessProbe;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The filesystem backend: one folder per key segment under a root. Every file operation runs on the
 * given blocking executor, never on the caller's thread. Writes go to {@code {root}/.tmp} and are
 * renamed into place (see {@link PendingWrite}); folders emptied by deletes are pruned. Content type
 * is derived from the key's extension (the filesystem keeps no per-object metadata); ETags are
 * derived from the file's identity, size and modification time, so they change on every rewrite. Writes in
 * progress are tracked, so that the end of a graceful shutdown can abort them ({@link PendingWrites}); the temp files
 * of writes whose process died are found by their unheld locks ({@link IncompleteWrites}).
 *
 * <p>Each object carries the SHA-256 of its bytes ({@link StoredDigest}). A full read (no range) hashes what it reads
 * and holds back its last chunk until the digest matches: a damaged object fails with {@link IntegrityException}
 * instead of its last chunk, so no reader receives it as complete. A ranged read cannot be checked (the digest covers
 * the whole object) and is served as read.
 *
 * <p>A full disk ({@code ENOSPC}, or {@code EDQUOT}) fails a write with {@code insufficient_storage} (507), its temp
 * file removed; the readiness probe fails while fewer than the configured minimum of bytes are free.
 */
public final class LocalObjectStore implements ObjectStore, ReadinessProbe, PendingWrites, IncompleteWrites {
    private static final Logger LOG = Logger.getLogger(LocalObjectStore.class);
    static final String TEMP_DIR = ".tmp";
    private static final int READ_CHUNK = 128 * 1024;
    private static final int WRITE_BUFFERED_CHUNKS = 16;
    private static final int LIST_PAGE = 1000;
    private static final ByteBuffer EOF = ByteBuffer.allocate(0);

    private final SecurePaths paths;
    private final LocalFiles files;
    private final Path tempDir;
    private final Executor blocking;
    private final LocalUrlSigner signer;
    private final KeyLocks keyLocks;
    private final Set<PendingWrite> pending = ConcurrentHashMap.newKeySet();
    private final long minFree;
    private boolean digests;
    private volatile FileStore fileStore;
    private volatile boolean stopped;

    private LocalObjectStore(Path root, Executor blocking, LocalUrlSigner signer, long minFree) {
        this.paths = new SecurePaths(root);
        this.files = new LocalFiles(paths.root());
        this.tempDir = paths.root().resolve(TEMP_DIR);
        this.keyLocks = new KeyLocks(paths.root());
        this.blocking = blocking;
        this.signer = signer;
        this.minFree = minFree;
    }

    /**
     * Opens (creating if needed) a store rooted at {@code root}. Blocking: call at start-up. Temp files left by a
     * crash are not removed here: other replicas may share the root and be writing theirs right now; the
     * {@link IncompleteWrites} sweep removes them once they are unlocked and old enough.
     *
     * @param blocking where file I/O runs (a worker pool)
     * @param signer   signs and verifies this store's URLs
     * @throws UncheckedIOException when the root cannot be created or is not writable
     */
    static LocalObjectStore open(Path root, Executor blocking, LocalUrlSigner signer) {
        return open(root, blocking, signer, 0);
    }

    /**
     * As {@link #open(Path, Executor, LocalUrlSigner)}.
     *
     * @param minFree the readiness probe fails while fewer bytes than this are free on the root's filesystem
     *                ({@code REELVAULT_STORAGE_LOCAL_MIN_FREE}); 0: only when a write there fails for want of space
     */
    static LocalObjectStore open(Path root, Executor blocking, LocalUrlSigner signer, long minFree) {
        LocalObjectStore store = new LocalObjectStore(root, blocking, signer, minFree);
        try {
            Files.createDirectories(store.paths.root());
            Files.createDirectories(store.tempDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open local storage root " + store.paths.root(), e);
        }
        store.digests = StoredDigest.supported(store.tempDir);
        if (!store.digests) {
            LOG.warnf(
                    "the filesystem of %s keeps no user extended attributes: objects are stored without their sha256,"
                            + " and full reads and the scrub command cannot detect damaged bytes",
                    store.paths.root());
        }
        return store;
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == SignedUrls.class || type == SignedUrlVerifier.class) {
            return Optional.of(type.cast(signer));
        }
        if (type == PendingWrites.class || type == IncompleteWrites.class) {
            return Optional.of(type.cast(this));
        }
        return ObjectStore.super.capability(type);
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        return write(key, body, length, null);
    }

    /**
     * The body is written to a temp file as by {@link #put}; then, holding the key's lock ({@link KeyLocks}: every
     * process on this root), the object there is compared with the expected one and the temp file renamed into place,
     * its modification time moved past the replaced object's so that the new ETag differs from every earlier one.
     */
    @Override
    public Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType) {
        return write(key, body, length, Objects.requireNonNull(expectedEtag));
    }

    /** @param expectedEtag null: unconditional; otherwise the condition of {@link #putIf} */
    private Uni<PutResult> write(
            ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, Optional<String> expectedEtag) {
        Path target = paths.resolve(key);
        // a request cancelled while its temp file is being opened (the client vanished) never reaches the body stage
        // below, whose handlers abort a write: the opened write is aborted here instead, whichever comes second
        AtomicReference<PendingWrite> opened = new AtomicReference<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        Uni<PendingWrite> open = blocking(() -> {
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
                        blocking.execute(() -> discard(write));
                    }
                });
        return open.onItem()
                .transformToUni(write -> body.emitOn(blocking, WRITE_BUFFERED_CHUNKS)
                        .onItem()
                        .invoke(buffer -> {
                            long written = io(() -> write.write(buffer));
                            if (length.isPresent() && written > length.getAsLong()) {
                                throw lengthMismatch(length.getAsLong());
                            }
                        })
                        .collect()
                        .last()
                        .emitOn(blocking)
                        .onItem()
                        .transform(ignored -> {
                            if (length.isPresent() && write.written() != length.getAsLong()) {
                                throw lengthMismatch(length.getAsLong());
                            }
                            String sha256 = write.sha256();
                            return io(() -> {
                                if (expectedEtag == null) {
                                    // what this write put there: the target itself may already hold a racing writer's
                                    // object
                                    return new PutResult(info(key, write.commit(target, files)), sha256);
                                }
                                return keyLocks.withLock(key, () -> {
                                    Optional<BasicFileAttributes> current = attributes(target);
                                    Optional<String> etag =
                                            current.map(a -> info(key, a).etag());
                                    if (!etag.equals(expectedEtag)) {
                                        throw new PreconditionFailedException(
                                                expectedEtag.isPresent()
                                                        ? "the object changed since it was read"
                                                        : "an object is already there");
                                    }
                                    return new PutResult(
                                            info(
                                                    key,
                                                    write.commit(
                                                            target,
                                                            files,
                                                            current.map(BasicFileAttributes::lastModifiedTime))),
                                            sha256);
                                });
                            });
                        })
                        .onFailure()
                        .invoke(write::abort)
                        .onCancellation()
                        .invoke(() -> blocking.execute(write::abort))
                        .onTermination()
                        .invoke(() -> pending.remove(write)))
                .onFailure(e -> stopped && e instanceof CancellationException)
                .transform(e -> stopping())
                .onFailure(UncheckedIOException.class)
                .transform(LocalObjectStore::unavailable);
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
        PendingWrite write = PendingWrite.open(tempDir, digests);
        pending.add(write);
        if (stopped) { // abortAll may have iterated before the add: never leave a write it did not see
            write.abort();
            pending.remove(write);
            throw stopping();
        }
        return write;
    }

    @Override
    public int abortAll() {
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
    @Override
    public int removeAbandoned(Instant inactiveSince) {
        Set<Path> ours = pending.stream().map(PendingWrite::temp).collect(Collectors.toSet());
        int removed = 0;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(tempDir)) {
            for (Path temp : temps) {
                Optional<BasicFileAttributes> attrs = attributes(temp);
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

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        Path path = paths.resolve(key);
        return blocking(() -> {
            for (int attempt = 0; ; attempt++) {
                BasicFileAttributes before = attributes(path).orElseThrow(() -> ReelvaultException.notFound("object"));
                FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                // read between two stats of one inode, which the open channel holds: the digest of these very bytes
                Optional<String> digest = range.isPresent() ? Optional.empty() : StoredDigest.read(path);
                Optional<BasicFileAttributes> after = attributes(path);
                if (after.isEmpty()
                        || !Objects.equals(before.fileKey(), after.get().fileKey())) {
                    channel.close(); // replaced between stat and open: stat again
                    if (attempt < 3) {
                        continue;
                    }
                    throw new IOException("object keeps changing while being opened");
                }
                return open(key, channel, before, range, digest);
            }
        });
    }

    /** @param digest the object's recorded SHA-256, for a full read; a read with one is verified ({@link VerifiedRead}) */
    private ObjectContent open(
            ObjectKey key,
            FileChannel channel,
            BasicFileAttributes attrs,
            Optional<ByteRange> range,
            Optional<String> digest)
            throws IOException {
        ObjectInfo info = info(key, attrs);
        Optional<ResolvedRange> resolved = Optional.empty();
        if (range.isPresent()) {
            resolved = range.get().resolve(info.size());
            if (resolved.isEmpty()) {
                channel.close();
                throw ReelvaultException.rangeNotSatisfiable(info.size(), range.get());
            }
        }
        long start = resolved.map(ResolvedRange::start).orElse(0L);
        long end = start + resolved.map(ResolvedRange::length).orElse(info.size());
        AtomicLong position = new AtomicLong(start);
        VerifiedRead verify = digest.map(d -> new VerifiedRead(key, d)).orElse(null);
        Multi<ByteBuffer> body = Multi.createBy()
                .repeating()
                .uni(() -> blocking(() -> readChunk(channel, position, end, verify)))
                .until(buffer -> buffer == EOF)
                .onTermination()
                .invoke(() -> closeQuietly(channel));
        return new ObjectContent(info, resolved, body);
    }

    /** The next chunk, or {@link #EOF}; with {@code verify}, the chunk that completes the object only once it passed. */
    private static ByteBuffer readChunk(FileChannel channel, AtomicLong position, long end, VerifiedRead verify)
            throws IOException {
        long pos = position.get();
        if (pos >= end) {
            if (verify != null && end == 0) {
                verify.check(EOF, true); // an empty object has no chunk to hold back: checked before the end
            }
            return EOF;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(READ_CHUNK, end - pos));
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos + buffer.position());
            if (n < 0) {
                throw new IOException("object shorter than its size while reading");
            }
        }
        buffer.flip();
        if (verify != null) {
            verify.check(buffer, pos + buffer.remaining() >= end);
        }
        position.addAndGet(buffer.remaining());
        return buffer;
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        Path path = paths.resolve(key);
        return blocking(() -> attributes(path).map(attrs -> info(key, attrs)));
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return deleteMany(List.of(key));
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        List<Path> targets = keys.stream().map(paths::resolve).toList();
        return blocking(() -> {
            for (Path p : targets) {
                if (Files.deleteIfExists(p)) {
                    files.pruneEmpty(p.getParent(), areaDir(p));
                }
            }
            return null;
        });
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        String p = prefix.value();
        String folder = p.substring(0, p.lastIndexOf('/') + 1);
        SortedWalk walk = new SortedWalk(
                paths, folder, p, startAfter.map(ObjectKey::value).orElse(null));
        return Multi.createBy()
                .repeating()
                .uni(() -> blocking(() -> {
                    List<ObjectInfo> page = new ArrayList<>(LIST_PAGE);
                    SortedWalk.Entry e;
                    while (page.size() < LIST_PAGE && (e = walk.next()) != null) {
                        page.add(info(new ObjectKey(e.key()), e.attributes()));
                    }
                    return page;
                }))
                .until(List::isEmpty)
                .onItem()
                .transformToMultiAndConcatenate(page -> Multi.createFrom().iterable(page));
    }

    /**
     * Fails with {@code insufficient_storage} while fewer than the minimum of bytes are free on the root's filesystem,
     * or when the probe file cannot be written for want of space; with {@code storage_unavailable} when it cannot be
     * written otherwise.
     */
    @Override
    public Uni<Void> probe() {
        return blocking(() -> {
            long free = usableSpace();
            if (free < minFree) {
                throw full(free + " bytes free, fewer than REELVAULT_STORAGE_LOCAL_MIN_FREE (" + minFree + ")");
            }
            Path probe = Files.createTempFile(tempDir, "probe-", ".tmp");
            try {
                Files.write(probe, new byte[] {1});
            } finally {
                Files.deleteIfExists(probe);
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return "local filesystem";
    }

    /** The folder of the key's area; pruning never removes it. */
    private Path areaDir(Path file) {
        return paths.root().resolve(paths.root().relativize(file).getName(0));
    }

    static Optional<BasicFileAttributes> attributes(Path path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(a) : Optional.empty();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if ("Not a directory".equals(e.getReason())) {
                return Optional.empty(); // a folder of the key is a file: no such object
            }
            throw e;
        }
    }

    static ObjectInfo info(ObjectKey key, BasicFileAttributes attrs) {
        long mtime = attrs.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                + attrs.lastModifiedTime().toInstant().getNano();
        String etag = "\"" + Long.toHexString(mtime) + "-" + Long.toHexString(attrs.size()) + "-"
                + Integer.toHexString(Objects.hashCode(attrs.fileKey())) + "\"";
        return new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant(), etag, FileType.mediaTypeOf(key));
    }

    private <T> Uni<T> blocking(IoSupplier<T> action) {
        return Uni.createFrom()
                .item((Supplier<T>) () -> io(action))
                .runSubscriptionOn(blocking)
                .onFailure(UncheckedIOException.class)
                .transform(LocalObjectStore::unavailable);
    }

    private static <T> T io(IoSupplier<T> action) {
        try {
            return action.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes this process may still write on the root's filesystem ({@code df}'s available). */
    long usableSpace() throws IOException {
        FileStore s = fileStore;
        if (s == null) { // looked up once: it scans the mount table
            s = Files.getFileStore(paths.root());
            fileStore = s;
        }
        return s.getUsableSpace();
    }

    private static Throwable unavailable(Throwable e) {
        if (noSpace(e)) {
            LOG.warnf("local storage is full: %s", e.getCause() != null ? e.getCause() : e);
            return full("no space left on its filesystem; nothing of the request was stored");
        }
        LOG.warnf("local storage failed: %s", e.getCause() != null ? e.getCause() : e);
        return new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "local storage failed", e);
    }

    /**
     * Whether the failure is the filesystem's {@code ENOSPC} or {@code EDQUOT}: Java reports neither as a type of its own,
     * only by the C library's message (a {@link FileSystemException}'s reason, or a plain {@link IOException}'s message
     * from a channel write), which is English under the C and English locales the service runs in.
     */
    static boolean noSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
            if (t instanceof IOException
                    && message != null
                    && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    private static ReelvaultException full(String why) {
        return new ReelvaultException(ErrorCode.INSUFFICIENT_STORAGE, "the storage is full: " + why);
    }

    private static ReelvaultException lengthMismatch(long declared) {
        return new ReelvaultException(ErrorCode.LENGTH_MISMATCH, "the body is not the declared " + declared + " bytes");
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only handle
        }
    }

    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }
}
