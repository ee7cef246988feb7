package io.reelvault.storage;

import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A body that is a byte range of a file the store already holds open (the local backend), for a caller that can
 * send it without copying it through the heap ({@code sendfile}). The channel is the one the store identity-checked
 * when it opened the object: a rewrite of the key while it is sent does not change what it reads.
 *
 * <p>A caller sends {@code [position, position + count - held)} from {@link #channel()} and the last {@code held}
 * bytes from {@link #tail(int)}, which for a {@linkplain #verified() verified} body (a full read) arrive only once the
 * whole object matched its recorded SHA-256, so that a damaged object is never answered complete. It reports what it
 * sent with {@link #sent(long)} (transfer metrics) and {@linkplain #close() closes} the body when done, whatever
 * happened.
 *
 * <p>An {@link ObjectContent} offering one is consumed one way: either its {@code body} is subscribed (which releases
 * the file too, when it terminates), or this file body is used and closed, and the {@code body} never subscribed.
 */
public interface FileBody {
    /** The open file; read it only with positional reads or transfers, never by moving its position. */
    FileChannel channel();

    /** The file offset of the body's first byte. */
    long position();

    /** The body's length in bytes (the object's, or its range's). */
    long count();

    /** Whether {@link #tail(int)} waits for the whole object to match its recorded digest (a full read). */
    boolean verified();

    /**
     * The last {@code n} bytes of the body ({@code 0 <= n <= count}), read from {@link #channel()} on a blocking
     * thread; for a {@linkplain #verified() verified} body, only after the whole object was read and matched its
     * digest, failing with {@link IntegrityException} otherwise. Subscribe once; closing the body stops it.
     */
    Uni<ByteBuffer> tail(int n);

    /** Records {@code bytes} of the body as sent to the client. */
    void sent(long bytes);

    /** Releases the file: idempotent, and the same release as the content's body terminating. */
    void close();

    /**
     * {@code body}, with {@code sent} told each count of sent bytes and {@code tailFailure} each failure of its tail,
     * before they pass on: how a decorating store meters a file body.
     */
    static FileBody observed(FileBody body, LongConsumer sent, Consumer<Throwable> tailFailure) {
        return new FileBody() {
            @Override
            public FileChannel channel() {
                return body.channel();
            }

            @Override
            public long position() {
                return body.position();
            }

            @Override
            public long count() {
                return body.count();
            }

            @Override
            public boolean verified() {
                return body.verified();
            }

            @Override
            public Uni<ByteBuffer> tail(int n) {
                return body.tail(n).onFailure().invoke(tailFailure);
            }

            @Override
            public void sent(long bytes) {
                sent.accept(bytes);
                body.sent(bytes);
            }

            @Override
            public void close() {
                body.close();
            }
        };
    }
}
