package io.reelvault.service;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A local file (ffmpeg's output) as a body stream, read in 64 KiB pieces on the worker pool. */
public final class FileBody {
    static final int CHUNK = 64 * 1024;

    private FileBody() {}

    public static Multi<ByteBuffer> read(Path file) {
        return Multi.createFrom()
                .resource(
                        () -> open(file),
                        channel -> Multi.createBy()
                                .repeating()
                                .supplier(() -> next(channel))
                                .until(b -> !b.hasRemaining()))
                .withFinalizer(FileBody::close)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer next(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // fill the piece; a short read before the end is retried
            }
            return buffer.flip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }
}
