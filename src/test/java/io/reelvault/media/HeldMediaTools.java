package io.reelvault.media;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.support.Samples;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Media work whose compression the test holds: {@link #compress} answers a named pipe at once, and whoever reads the
 * "compressed file" blocks until the test {@link #release()}s it (an empty re-encode). So a test can act while a
 * compression is being published. Thumbnails are a fixed JPEG. Enabled by a test profile's alternatives only.
 */
@Alternative
@Singleton
public class HeldMediaTools extends MediaTools {
    private static volatile Path pipe;

    @Inject
    HeldMediaTools(ReelvaultConfig config) {
        super(config);
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public Uni<byte[]> thumbnail(String source, int width) {
        return Uni.createFrom().item(Samples.jpeg(900));
    }

    @Override
    public Uni<Path> compress(String source) {
        return Uni.createFrom().item(() -> {
            try {
                Path dir = Files.createTempDirectory("held-compression-");
                Path fifo = dir.resolve("compressed.mp4");
                Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString())
                        .inheritIO()
                        .start();
                if (!mkfifo.waitFor(30, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
                    throw new IOException("mkfifo failed");
                }
                pipe = fifo;
                return fifo;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** The pipe of the compression in progress, or null before one started. */
    public static Path pipe() {
        return pipe;
    }

    /** Lets the reader of the pipe go on: it reads an empty file. Blocks until the reader has opened the pipe. */
    public static void release() throws IOException {
        Files.newOutputStream(pipe).close();
    }
}
