package io.reelvault.storage;

import io.reelvault.storage.RunningDigests.KnownDigest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.AbstractMulti;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A body whose bytes the storage already holds whole, durably, in a place of its own (a finished resumable upload's
 * bytes): a store that can take them as the new object where they are ({@link ObjectStore#put}; local backend: the
 * file hashed in one read, then renamed into place; S3: the object hashed in one read, then copied by the server)
 * does so instead of receiving them again; any other consumer simply streams them, as the {@code Multi} it is. So whoever passes it on unchanged (or through {@link #inspected}) gets the zero-copy path, and
 * whoever wraps it in another operator gets a correct copy.
 *
 * <p>The checks a caller would run on the streamed bytes are kept twice: in the stream (for a copy) and as checks of
 * the body's first bytes and length (for a store that takes the file, which runs them before it touches anything).
 * Only one of the two paths is ever used for one body.
 */
public final class AdoptableBody extends AbstractMulti<ByteBuffer> {
    private final Multi<ByteBuffer> stream;
    private final Object source;
    private final long length;
    private final int headBytes;
    private final List<Consumer<ByteBuffer>> headChecks;
    private final Optional<KnownDigest> digest;

    private AdoptableBody(
            Multi<ByteBuffer> stream,
            Object source,
            long length,
            int headBytes,
            List<Consumer<ByteBuffer>> headChecks,
            Optional<KnownDigest> digest) {
        this.stream = stream;
        this.source = source;
        this.length = length;
        this.headBytes = headBytes;
        this.headChecks = List.copyOf(headChecks);
        this.digest = digest;
    }

    /**
     * @param stream the bytes as a stream, for consumers that copy
     * @param source where they are, in the terms of the backend that can take them (local: the file's {@code Path},
     *               which the store may move away: its owner must not need it after a successful put)
     * @param length their size in bytes
     */
    public static AdoptableBody of(Multi<ByteBuffer> stream, Object source, long length) {
        return of(stream, source, length, Optional.empty());
    }

    /**
     * {@link #of(Multi, Object, long)}, with the bytes' digest when it is known without reading them (computed as they
     * were received, {@link RunningDigests}): a store that takes them where they are then reads no more than their
     * first bytes.
     */
    public static AdoptableBody of(Multi<ByteBuffer> stream, Object source, long length, Optional<KnownDigest> digest) {
        return new AdoptableBody(stream, source, length, 0, List.of(), digest);
    }

    /**
     * This body with {@code inspectedStream} as its stream (the same bytes, watched by the caller's checks) and, for a
     * store that takes the file, {@code check} run on a read-only view of its first {@code headBytes} bytes (fewer when
     * the file is shorter) before it does; a check fails by throwing.
     */
    public AdoptableBody inspected(Multi<ByteBuffer> inspectedStream, int headBytes, Consumer<ByteBuffer> check) {
        List<Consumer<ByteBuffer>> checks = new ArrayList<>(headChecks);
        checks.add(check);
        return new AdoptableBody(inspectedStream, source, length, Math.max(this.headBytes, headBytes), checks, digest);
    }

    /** The SHA-256 and CRC32C of the bytes, when known without reading them. */
    public Optional<KnownDigest> digest() {
        return digest;
    }

    /** Where the bytes are, when it is of this type (a backend asks for its own kind). */
    public <T> Optional<T> source(Class<T> type) {
        return type.isInstance(source) ? Optional.of(type.cast(source)) : Optional.empty();
    }

    /** The body's length in bytes. */
    public long length() {
        return length;
    }

    /** How many of the first bytes {@link #checkHead} needs. */
    public int headBytes() {
        return headBytes;
    }

    /** Runs every check on the body's first bytes ({@link #headBytes} of them, or all when fewer); throws if one fails. */
    public void checkHead(ByteBuffer head) {
        for (Consumer<ByteBuffer> check : headChecks) {
            check.accept(head.asReadOnlyBuffer());
        }
    }

    @Override
    public void subscribe(MultiSubscriber<? super ByteBuffer> subscriber) {
        stream.subscribe().withSubscriber(subscriber);
    }
}
