package io.reelvault.storage.local;

import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.ResolvedRange;
import io.reelvault.storage.FileBody;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local backend's reads: an object, or one byte range of it, streamed in chunks read on the blocking executor
 * from one open channel (so a rewrite of the key during the read does not mix two objects). A full read is verified
 * against the object's recorded CRC32C, or SHA-256 when it has none ({@link VerifiedRead}): a damaged object fails with
 * {@link IntegrityException} instead of its last chunk. A ranged read cannot be checked (the digest covers the whole
 * object) and is served as read; a range that selects none of the object is {@code range_not_satisfiable}. An object
 * of at most {@link #SMALL_READ} bytes is read (and a full read verified) whole in the step that opens it: on the
 * caller's thread (see the constructor), or in one trip to the blocking executor.
 *
 * <p>Each content also offers the open channel as a {@link FileBody}, for the signed-download route to send without
 * copying ({@code sendfile}); its {@link FileBody#tail} checks the whole object first, for a full read. The channel is
 * closed once, by whichever of the two is used: the stream's end, or the file body's close.
 */
final class LocalReads {
    private static final int READ_CHUNK = 128 * 1024;
    /** The read size of a file body's verification (as fast as larger ones, measured; cache-friendlier). */
    private static final int VERIFY_CHUNK = 128 * 1024;

    /**
     * Objects of at most this size (such as {@code metadata.json}) are read whole, and a full read verified, in the one
     * blocking step that opens them ({@link #small}): one trip to the blocking executor instead of one per chunk.
     */
    static final int SMALL_READ = 64 * 1024;

    private static final ByteBuffer EOF = ByteBuffer.allocate(0);

    private final SecurePaths paths;
    private final LocalIo io;
    private final boolean inlineSmall;

    /**
     * @param inlineSmall whether objects of at most {@link #SMALL_READ} bytes are read, and ranged reads of any object
     *                    opened, on the caller's thread (one stat there tells; a larger object's full read is then
     *                    opened on the blocking executor), as nginx reads files on its event loop: no trip to the
     *                    executor and back for a page-cached document or before a range's first byte. Off for a
     *                    filesystem whose small reads can stall (a network filesystem that hangs).
     */
    LocalReads(SecurePaths paths, LocalIo io, boolean inlineSmall) {
        this.paths = paths;
        this.io = io;
        this.inlineSmall = inlineSmall;
    }

    Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        Path path = paths.resolve(key);
        if (inlineSmall) {
            // here, at each subscription: a small object read whole, a range opened (two stats and an open, no digest
            // to read; its bytes go later, by sendfile on the event loop that sends them or on the blocking executor)
            long limit = range.isPresent() ? Long.MAX_VALUE : SMALL_READ;
            return LocalIo.here(() -> openChecked(key, path, range, limit))
                    .chain(opened -> opened != null
                            ? Uni.createFrom().item(opened)
                            : io.blocking(() -> openChecked(key, path, range, Long.MAX_VALUE)));
        }
        return io.blocking(() -> openChecked(key, path, range, Long.MAX_VALUE));
    }

    /**
     * Opens the object, its identity checked between two stats of the inode the channel holds (an object replaced
     * between stat and open is opened again), with what it recorded for a full read.
     *
     * @return null when the object is larger than {@code limit}: nothing was opened
     */
    private ObjectContent openChecked(ObjectKey key, Path path, Optional<ByteRange> range, long limit)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            BasicFileAttributes before =
                    ObjectFiles.attributes(path).orElseThrow(() -> ReelvaultException.notFound("object"));
            if (before.size() > limit) {
                return null;
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            // read between two stats of one inode, which the open channel holds: the digest of these very bytes
            StoredDigest.Recorded digest;
            try {
                digest = range.isPresent() ? StoredDigest.Recorded.NONE : StoredDigest.forRead(path);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            Optional<BasicFileAttributes> after = ObjectFiles.attributes(path);
            if (after.isEmpty() || !Objects.equals(before.fileKey(), after.get().fileKey())) {
                channel.close(); // replaced between stat and open: stat again
                if (attempt < 3) {
                    continue;
                }
                throw new IOException("object keeps changing while being opened");
            }
            ObjectInfo info = ObjectFiles.info(key, before);
            Optional<ResolvedRange> resolved = resolve(info, range, channel);
            return info.size() <= SMALL_READ
                    ? small(key, channel, info, resolved, digest)
                    : open(key, channel, info, resolved, digest);
        }
    }

    /**
     * The bytes of the object a range selects, or empty for the whole object; a range that selects none of it closes
     * the channel and is {@code range_not_satisfiable}.
     */
    private static Optional<ResolvedRange> resolve(ObjectInfo info, Optional<ByteRange> range, FileChannel channel)
            throws IOException {
        if (range.isEmpty()) {
            return Optional.empty();
        }
        Optional<ResolvedRange> resolved = range.get().resolve(info.size());
        if (resolved.isEmpty()) {
            channel.close();
            throw ReelvaultException.rangeNotSatisfiable(info.size(), range.get());
        }
        return resolved;
    }

    /** @param digest what the object recorded, for a full read; a read with either is verified ({@link VerifiedRead}) */
    private ObjectContent open(
            ObjectKey key,
            FileChannel channel,
            ObjectInfo info,
            Optional<ResolvedRange> resolved,
            StoredDigest.Recorded digest)
            throws IOException {
        long start = resolved.map(ResolvedRange::start).orElse(0L);
        long end = start + resolved.map(ResolvedRange::length).orElse(info.size());
        AtomicLong position = new AtomicLong(start);
        VerifiedRead verify = VerifiedRead.of(key, digest).orElse(null);
        Runnable release = once(channel);
        Multi<ByteBuffer> body = Multi.createBy()
                .repeating()
                .uni(() -> io.blocking(() -> readChunk(channel, position, end, verify)))
                .until(buffer -> buffer == EOF)
                .onTermination()
                .invoke(release);
        FileBody file = new LocalFileBody(key, channel, start, end - start, info.size(), digest, release);
        return new ObjectContent(info, resolved, body, Optional.of(file));
    }

    /**
     * A small object ({@link #SMALL_READ}), or the range of one, read here, in the step that opened and
     * identity-checked the channel; a full read verified before its bytes are handed on: when they do not match the
     * digest, the body fails with {@link IntegrityException} instead of emitting them, as a chunked read's does. The
     * channel stays open for the {@link FileBody} (whose tail verifies again) until the body ends or the file body is
     * closed, as with {@link #open}.
     */
    private ObjectContent small(
            ObjectKey key,
            FileChannel channel,
            ObjectInfo info,
            Optional<ResolvedRange> resolved,
            StoredDigest.Recorded digest)
            throws IOException {
        long start = resolved.map(ResolvedRange::start).orElse(0L);
        long length = resolved.map(ResolvedRange::length).orElse(info.size());
        Runnable release = once(channel);
        ByteBuffer bytes = ByteBuffer.allocate((int) length);
        try {
            readFully(channel, bytes, start);
        } catch (IOException | RuntimeException e) {
            release.run();
            throw e;
        }
        bytes.flip();
        Multi<ByteBuffer> body;
        try {
            VerifiedRead.of(key, digest).ifPresent(v -> v.check(bytes, true));
            // items(), not item(): an iterable source, without the emitter and queue item() subscribes through
            body = length == 0 ? Multi.createFrom().empty() : Multi.createFrom().items(bytes);
        } catch (IntegrityException e) {
            body = Multi.createFrom().failure(e);
        }
        FileBody file = new LocalFileBody(key, channel, start, length, info.size(), digest, release);
        return new ObjectContent(info, resolved, body.onTermination().invoke(release), Optional.of(file));
    }

    /** Closes the channel the first time it runs. */
    private static Runnable once(FileChannel channel) {
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(channel);
            }
        };
    }

    /** The content's channel as a {@link FileBody}: its tail read on the blocking executor, after the digest check. */
    private final class LocalFileBody implements FileBody {
        private final ObjectKey key;
        private final FileChannel channel;
        private final long position;
        private final long count;
        private final long size;
        private final StoredDigest.Recorded digest;
        private final Runnable release;

        LocalFileBody(
                ObjectKey key,
                FileChannel channel,
                long position,
                long count,
                long size,
                StoredDigest.Recorded digest,
                Runnable release) {
            this.key = key;
            this.channel = channel;
            this.position = position;
            this.count = count;
            this.size = size;
            this.digest = digest;
            this.release = release;
        }

        @Override
        public FileChannel channel() {
            return channel;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public long count() {
            return count;
        }

        @Override
        public boolean verified() {
            return digest.sha256().isPresent() || digest.crc32c().isPresent();
        }

        @Override
        public Uni<ByteBuffer> tail(int n) {
            if (n < 0 || n > count) {
                throw new IllegalArgumentException("a tail of " + n + " bytes of a body of " + count);
            }
            return io.blocking(() -> {
                try {
                    Optional<VerifiedRead> verify = VerifiedRead.of(key, digest);
                    if (verify.isPresent()) {
                        verifyWhole(verify.get());
                    }
                    ByteBuffer tail = ByteBuffer.allocate(n);
                    readFully(channel, tail, position + count - n);
                    return tail.flip();
                } catch (ClosedChannelException e) { // closed by its caller (the client left): no storage failure
                    throw new CancellationException("the file body was closed while its tail was read");
                }
            });
        }

        /** Checks the whole object from the channel (the page cache a concurrent send fills), as a full read does. */
        private void verifyWhole(VerifiedRead verify) throws IOException {
            if (size == 0) {
                verify.check(EOF, true);
                return;
            }
            int chunk = (int) Math.min(VERIFY_CHUNK, size);
            // a CRC32C reads an off-heap buffer in place: the file's bytes are then copied once, not twice
            ByteBuffer buffer = verify.prefersDirect() ? ByteBuffer.allocateDirect(chunk) : ByteBuffer.allocate(chunk);
            for (long pos = 0; pos < size; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), size - pos));
                readFully(channel, buffer, pos);
                buffer.flip();
                pos += buffer.remaining();
                verify.check(buffer, pos >= size);
            }
        }

        @Override
        public void sent(long bytes) {
            // the backend keeps no account of its own
        }

        @Override
        public void close() {
            release.run();
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        long start = at - buffer.position();
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, start + buffer.position());
            if (n < 0) {
                throw new IOException("object shorter than its size while reading");
            }
        }
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

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only handle
        }
    }
}
