package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.TusUploadId;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.AppendsInFlight;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.storage.RunningDigests;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The local backend's resumable uploads, in {@code {root}/.tus/} (a dot folder: outside the key space, never listed,
 * never swept as an incomplete write): per upload {@code {id}.bin}, its bytes so far (grown by each append, an
 * {@link AppendingWrite}, fsynced before the append completes; its size is the upload's offset; the running digest of
 * its bytes is kept in {@link RunningDigests}, so that a finished upload is adopted without a read), {@code {id}.json}, the caller's state
 * document (replaced by an fsynced rename), and {@code {id}.lock}, locked with an OS lock ({@code fcntl}) while a
 * request changes the upload: every process on this root honours it, and the kernel drops it when its holder dies.
 * A lock is taken once per process (an in-process set first), so that no second channel of this process to the lock
 * file is ever closed while the first holds it (closing any channel drops the process's locks on the file).
 */
final class LocalResumableWrites implements ResumableWrites {
    static final String DIR = ".tus";
    /** Bytes read at a time by {@link #read}. */
    private static final int READ_CHUNK = 256 * 1024;
    /** Buffers queued for the writer thread at most (back-pressure beyond). */
    private static final int WRITE_BUFFERED_CHUNKS = 16;

    private final Path dir;
    private final LocalIo io;
    private final Set<TusUploadId> heldHere = ConcurrentHashMap.newKeySet();
    private final RunningDigests digests = new RunningDigests();
    /** The appends in flight, until their bytes are settled (cancelled ones included): {@link #settled}. */
    private final AppendsInFlight appends = new AppendsInFlight();

    private final IntSupplier directBlock;
    private final boolean inline;

    /**
     * @param directBlock the root filesystem's {@code O_DIRECT} block size, 0 for ordinary writes ({@link LocalWrites})
     * @param inline      whether an upload's state is read, and its lock taken, on the caller's thread (a small read and
     *                    a stat; an open and a non-blocking {@code fcntl}), as small objects are read
     *                    ({@code REELVAULT_STORAGE_LOCAL_INLINE_SMALL_READS}): two trips to a worker fewer per PATCH
     */
    LocalResumableWrites(Path root, LocalIo io, IntSupplier directBlock, boolean inline) {
        this.dir = root.resolve(DIR);
        this.io = io;
        this.directBlock = directBlock;
        this.inline = inline;
    }

    /** {@code action} here when small file work runs inline, else on the blocking executor. */
    private <T> Uni<T> small(LocalIo.IoSupplier<T> action) {
        return inline ? LocalIo.here(action) : io.blocking(action);
    }

    private Path bytes(TusUploadId id) {
        return dir.resolve(id.value() + ".bin");
    }

    private Path state(TusUploadId id) {
        return dir.resolve(id.value() + ".json");
    }

    private Path lockFile(TusUploadId id) {
        return dir.resolve(id.value() + ".lock");
    }

    @Override
    public Uni<Void> create(TusUploadId id, byte[] state) {
        return io.blocking(() -> {
            Files.createDirectories(dir);
            if (Files.exists(state(id))) {
                throw new ReelvaultException(ErrorCode.CONFLICT, "the upload exists already");
            }
            // the state first: a crash before the bytes file leaves an upload of 0 bytes (append creates the file),
            // never a bytes file that no state names (which no sweep would find)
            writeState(id, state);
            try {
                Files.createFile(bytes(id));
            } catch (FileAlreadyExistsException ignored) {
                // a retried creation
            }
            return null;
        });
    }

    @Override
    public Uni<Optional<Stored>> find(TusUploadId id) {
        return small(() -> {
            byte[] doc;
            try {
                doc = Files.readAllBytes(state(id));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            long offset;
            try {
                offset = Files.size(bytes(id));
            } catch (NoSuchFileException e) {
                offset = 0; // published or being removed: the state document says which
            }
            return Optional.of(new Stored(doc, offset));
        });
    }

    @Override
    public Uni<Void> saveState(TusUploadId id, byte[] state) {
        return io.blocking(() -> {
            writeState(id, state);
            return null;
        });
    }

    private void writeState(TusUploadId id, byte[] state) throws IOException {
        Path temp = dir.resolve(id.value() + ".json." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(state);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(temp, state(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LocalFiles.fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Uni<Optional<Lease>> lock(TusUploadId id) {
        return small(() -> {
            if (!heldHere.add(id)) {
                return Optional.empty();
            }
            FileChannel channel = null;
            try {
                Files.createDirectories(dir);
                channel = FileChannel.open(lockFile(id), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    channel.close();
                    heldHere.remove(id);
                    return Optional.empty();
                }
                FileChannel held = channel;
                AtomicBoolean released = new AtomicBoolean();
                return Optional.<Lease>of(() -> {
                    if (released.compareAndSet(false, true)) {
                        try {
                            held.close(); // drops the lock
                        } catch (IOException ignored) {
                            // closed: the lock is gone with it
                        } finally {
                            heldHere.remove(id);
                        }
                    }
                });
            } catch (IOException | RuntimeException e) {
                if (channel != null) {
                    channel.close();
                }
                heldHere.remove(id);
                throw e;
            }
        });
    }

    @Override
    public Uni<Long> append(
            TusUploadId id,
            long offset,
            OptionalLong length,
            Multi<ByteBuffer> body,
            Predicate<Throwable> keepOnFailure) {
        return appends.track(id, settling -> tracked(id, offset, length, body, keepOnFailure, settling));
    }

    /** {@link #append}, tracked by {@link #appends}: {@code settling} is told when a cancelled one settles on the side. */
    private Uni<Long> tracked(
            TusUploadId id,
            long offset,
            OptionalLong length,
            Multi<ByteBuffer> body,
            Predicate<Throwable> keepOnFailure,
            AppendsInFlight.Settling settling) {
        Path file = bytes(id);
        // the opening, claimed once by the append or by its cancellation, which then settles what the opening makes
        // (the open files, the batch buffer, the running digest) once it is made, on the side
        AppendsInFlight.FirstStep<Appending> opening = settling.firstStep(
                io.executor(),
                appending -> kept(id, appending, appending.write().settle(keepOnFailure.test(null))));
        return io.blocking(() -> opening.run(() -> open(id, offset, file)))
                .onFailure()
                .invoke(() -> opening.ended(null)) // the opening never ran (the executor refused it)
                .chain(appending -> {
                    if (!opening.take()) { // cancelled meanwhile: the cancellation settles it
                        return Uni.createFrom().failure(new CancellationException("the append was cancelled"));
                    }
                    AppendingWrite write = appending.write();
                    return body.emitOn(io.executor(), WRITE_BUFFERED_CHUNKS)
                            .onItem()
                            .invoke(buffer -> LocalIo.io(() -> {
                                write.write(buffer);
                                return null;
                            }))
                            .collect()
                            .last()
                            .emitOn(io.executor())
                            .map(ignored -> LocalIo.io(write::finish))
                            .invoke(size -> kept(id, appending, size))
                            .onFailure()
                            .invoke(e -> kept(id, appending, write.settle(keepOnFailure.test(e))))
                            .onCancellation()
                            .invoke(() -> settling.onTheSide( // the lease waits for this (settled)
                                    io.executor(), () -> kept(id, appending, write.settle(keepOnFailure.test(null)))))
                            .onTermination()
                            .invoke((item, failure, cancelled) -> {
                                if (!cancelled) {
                                    write.close();
                                }
                            });
                })
                .onFailure(UncheckedIOException.class)
                .transform(LocalIo::unavailable);
    }

    /** Opens the bytes file for an append at {@code offset}, with the running digest it continues. */
    private Appending open(TusUploadId id, long offset, Path file) throws IOException {
        // the running digest is this append's until it succeeds (kept again) or fails (forgotten)
        Optional<RunningDigests.Running> digest = digests.take(id, offset);
        try {
            // created if missing: the state exists (the caller read it under the lock), its bytes file
            // not yet (a crash between the two steps of create)
            return new Appending(AppendingWrite.open(file, offset, directBlock.getAsInt(), digest), digest);
        } catch (NoSuchFileException e) {
            throw ReelvaultException.notFound("upload");
        } catch (ReelvaultException mismatch) {
            digest.filter(d -> d.end() > 0).ifPresent(d -> digests.keep(id, d)); // nothing changed
            throw mismatch;
        }
    }

    @Override
    public Uni<Void> settled(TusUploadId id) {
        return appends.settled(id);
    }

    private record Appending(AppendingWrite write, Optional<RunningDigests.Running> digest) {}

    /**
     * After an append, however it ended: its running digest is kept when the file holds exactly the bytes it hashed
     * (a success, or an interruption that kept every byte that arrived), so that a resumed upload still needs no read.
     */
    private void kept(TusUploadId id, Appending appending, long size) {
        appending.digest().filter(d -> d.end() == size).ifPresent(d -> digests.keep(id, d));
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public Uni<Void> truncate(TusUploadId id, long offset) {
        return io.blocking(() -> {
            digests.forget(id);
            try (FileChannel channel = FileChannel.open(bytes(id), StandardOpenOption.WRITE)) {
                channel.truncate(offset);
                channel.force(false);
            } catch (NoSuchFileException gone) {
                // terminated or swept meanwhile: nothing to cut
            }
            return null;
        });
    }

    /** The bytes file itself, for the local object store to take as the new object ({@link LocalWrites}). */
    @Override
    public Multi<ByteBuffer> whole(TusUploadId id, long length) {
        return AdoptableBody.of(read(id, 0), bytes(id), length, digests.finished(id, length));
    }

    @Override
    public Multi<ByteBuffer> read(TusUploadId id, long from) {
        Path file = bytes(id);
        ByteBuffer end = ByteBuffer.allocate(0);
        return Multi.createFrom()
                .resource(
                        () -> LocalIo.io(() -> {
                            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                            ch.position(from);
                            return ch;
                        }),
                        ch -> Multi.createBy()
                                .repeating()
                                .uni(() -> io.blocking(() -> {
                                    ByteBuffer b = ByteBuffer.allocate(READ_CHUNK);
                                    while (b.hasRemaining()) {
                                        if (ch.read(b) < 0) {
                                            break;
                                        }
                                    }
                                    b.flip();
                                    return b.hasRemaining() ? b : end;
                                }))
                                .until(b -> b == end))
                .withFinalizer(LocalResumableWrites::closeQuietly)
                .onFailure(UncheckedIOException.class)
                .transform(LocalIo::unavailable);
    }

    @Override
    public Uni<Void> deleteBytes(TusUploadId id) {
        return io.blocking(() -> {
            digests.forget(id);
            Files.deleteIfExists(bytes(id));
            return null;
        });
    }

    @Override
    public Uni<Void> delete(TusUploadId id) {
        return io.blocking(() -> {
            digests.forget(id);
            Files.deleteIfExists(bytes(id));
            Files.deleteIfExists(state(id));
            Files.deleteIfExists(lockFile(id));
            return null;
        });
    }

    @Override
    public Uni<List<TusUploadId>> list() {
        return io.blocking(() -> {
            List<TusUploadId> ids = new ArrayList<>();
            if (!Files.isDirectory(dir)) {
                return ids;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    try {
                        ids.add(TusUploadId.parse(name.substring(0, name.length() - ".json".length())));
                    } catch (ReelvaultException notOurs) {
                        // a stray file: not an upload
                    }
                }
            }
            return ids;
        });
    }
}
