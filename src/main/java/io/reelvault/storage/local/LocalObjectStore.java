package io.reelvault.storage.local;

import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.IncompleteWrites;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.LocalHeads;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectMoves;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PendingWrites;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.ReadinessProbe;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.storage.SignedPartReceiver;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The filesystem backend: one folder per key segment under a root. Every file operation runs on the
 * given blocking executor, never on the caller's thread ({@link LocalIo}). Writes go to {@code {root}/.tmp} and are
 * renamed into place ({@link LocalWrites}, {@link PendingWrite}); folders emptied by deletes are pruned ({@link LocalFiles}); listings walk the folders
 * in key order ({@link LocalListing}); direct multipart uploads keep their parts under {@code {root}/.multipart}
 * ({@link LocalMultipart}). Content type
 * is derived from the key's extension (the filesystem keeps no per-object metadata); ETags are
 * derived from the file's identity, size and modification time, so they change on every rewrite ({@link ObjectFiles}).
 * Writes in progress are tracked, so that the end of a graceful shutdown can abort them ({@link PendingWrites}); the
 * temp files of writes whose process died are found by their unheld locks ({@link IncompleteWrites}).
 *
 * <p>Each object carries the SHA-256 and the CRC32C of its bytes ({@link StoredDigest}). A full read (no range) checks
 * what it reads against the CRC32C (the SHA-256 for objects written without one) and holds back its last chunk until
 * it matches: a damaged object fails with {@link IntegrityException}
 * instead of its last chunk, so no reader receives it as complete ({@link LocalReads}). A ranged read cannot be
 * checked (the digest covers the whole object) and is served as read.
 *
 * <p>A full disk ({@code ENOSPC}, or {@code EDQUOT}) fails a write with {@code insufficient_storage} (507), its temp
 * file removed; the readiness probe fails while fewer than the configured minimum of bytes are free.
 */
public final class LocalObjectStore implements ObjectStore, ReadinessProbe, PendingWrites, IncompleteWrites {
    private static final Logger LOG = Logger.getLogger(LocalObjectStore.class);
    static final String TEMP_DIR = ".tmp";
    private static final LocalHeads LOCAL_HEADS = new LocalHeads() {};

    private final SecurePaths paths;
    private final LocalFiles files;
    private final Path tempDir;
    private final LocalIo io;
    private final LocalReads reads;
    private final LocalWrites writes;
    private final LocalResumableWrites resumable;
    private final LocalListing listing;
    private final LocalUrlSigner signer;
    private final LocalMultipart multipart;
    private final RootFileStore disk;
    private final long minFree;
    private final boolean inlineSmallReads;

    private LocalObjectStore(
            SecurePaths paths,
            Executor blocking,
            LocalUrlSigner signer,
            long minFree,
            boolean digests,
            boolean inlineSmallReads,
            boolean directWrites) {
        this.paths = paths;
        this.files = new LocalFiles(paths.root());
        this.tempDir = paths.root().resolve(TEMP_DIR);
        this.io = new LocalIo(blocking);
        this.reads = new LocalReads(paths, io, inlineSmallReads);
        this.writes = new LocalWrites(paths, files, tempDir, io, digests, directWrites);
        this.resumable = new LocalResumableWrites(paths.root(), io, writes::appendBlock, inlineSmallReads);
        this.listing = new LocalListing(paths, io);
        this.signer = signer;
        this.multipart = new LocalMultipart(paths.root(), paths, files, io, writes, signer);
        this.disk = new RootFileStore(paths.root());
        this.minFree = minFree;
        this.inlineSmallReads = inlineSmallReads;
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
        return open(root, blocking, signer, minFree, true);
    }

    /**
     * As {@link #open(Path, Executor, LocalUrlSigner, long)}.
     *
     * @param inlineSmallReads whether objects of at most 64 KiB are read on the caller's thread, without a trip to
     *                         {@code blocking} ({@code REELVAULT_STORAGE_LOCAL_INLINE_SMALL_READS}, {@link LocalReads})
     */
    static LocalObjectStore open(
            Path root, Executor blocking, LocalUrlSigner signer, long minFree, boolean inlineSmallReads) {
        return open(root, blocking, signer, minFree, inlineSmallReads, false);
    }

    /**
     * As {@link #open(Path, Executor, LocalUrlSigner, long, boolean)}.
     *
     * @param directWrites whether writes use {@code O_DIRECT} where the filesystem takes it
     *                     ({@code REELVAULT_STORAGE_LOCAL_DIRECT_WRITES}, {@link PendingWrite}); otherwise they are
     *                     ordinary writes, synced behind
     */
    static LocalObjectStore open(
            Path root,
            Executor blocking,
            LocalUrlSigner signer,
            long minFree,
            boolean inlineSmallReads,
            boolean directWrites) {
        SecurePaths paths = new SecurePaths(root);
        Path tempDir = paths.root().resolve(TEMP_DIR);
        try {
            Files.createDirectories(paths.root());
            Files.createDirectories(tempDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open local storage root " + paths.root(), e);
        }
        boolean digests = StoredDigest.supported(tempDir);
        if (!digests) {
            LOG.warnf(
                    "the filesystem of %s keeps no user extended attributes: objects are stored without their checksums,"
                            + " and full reads and the scrub command cannot detect damaged bytes",
                    paths.root());
        }
        return new LocalObjectStore(paths, blocking, signer, minFree, digests, inlineSmallReads, directWrites);
    }

    /** Whether this store's writes go with {@code O_DIRECT} ({@code REELVAULT_STORAGE_LOCAL_DIRECT_WRITES}). */
    boolean directWrites() {
        return writes.direct();
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (type == SignedUrls.class || type == SignedUrlVerifier.class) {
            return Optional.of(type.cast(signer));
        }
        if (type == ResumableWrites.class) {
            return Optional.of(type.cast(resumable));
        }
        if (type == DirectMultipart.class || type == SignedPartReceiver.class) {
            return Optional.of(type.cast(multipart));
        }
        if (type == PendingWrites.class || type == IncompleteWrites.class) {
            return Optional.of(type.cast(this));
        }
        if (type == ObjectMoves.class) {
            return Optional.of(type.cast((ObjectMoves) writes::move));
        }
        if (type == LocalHeads.class) { // only with inline small reads: a head otherwise takes a worker trip
            return inlineSmallReads ? Optional.of(type.cast(LOCAL_HEADS)) : Optional.empty();
        }
        return ObjectStore.super.capability(type);
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        return writes.write(key, body, length, null);
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
        return writes.write(key, body, length, Objects.requireNonNull(expectedEtag));
    }

    @Override
    public int abortAll() {
        return writes.abortAll();
    }

    /** See {@link LocalWrites#removeAbandoned} and {@link LocalMultipart#removeAbandoned}. */
    @Override
    public int removeAbandoned(Instant inactiveSince) {
        return writes.removeAbandoned(inactiveSince) + multipart.removeAbandoned(inactiveSince);
    }

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return reads.get(key, range);
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        Path path = paths.resolve(key);
        LocalIo.IoSupplier<Optional<ObjectInfo>> stat =
                () -> ObjectFiles.attributes(path).map(attrs -> ObjectFiles.info(key, attrs));
        if (inlineSmallReads) { // one stat, here, at subscription: as a small read ({@link LocalHeads})
            return LocalIo.here(stat);
        }
        return io.blocking(stat);
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return deleteMany(List.of(key));
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        List<Path> targets = keys.stream().map(paths::resolve).toList();
        return io.blocking(() -> {
            for (Path p : targets) {
                files.delete(p);
            }
            return null;
        });
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return listing.list(prefix, startAfter);
    }

    /**
     * Fails with {@code insufficient_storage} while fewer than the minimum of bytes are free on the root's filesystem,
     * or when the probe file cannot be written for want of space; with {@code storage_unavailable} when it cannot be
     * written otherwise.
     */
    @Override
    public Uni<Void> probe() {
        return io.blocking(() -> {
            long free = disk.get().getUsableSpace(); // df's available: what this process may still write
            if (free < minFree) {
                throw LocalIo.full(free + " bytes free, fewer than REELVAULT_STORAGE_LOCAL_MIN_FREE (" + minFree + ")");
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
}
