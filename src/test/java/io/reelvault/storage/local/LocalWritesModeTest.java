package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reelvault.model.ObjectKey;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalWrites}' choice of write path: a body declared shorter than the limit ({@link LocalWrites#BUFFERED_BELOW},
 * 1 MiB here) goes through the page cache, a longer one or one of unknown length with {@code O_DIRECT} (seen in the
 * open file's flags, {@code /proc/self/fdinfo}, while the body streams); both store the body's bytes and SHA-256, and
 * an interrupted body leaves neither an object nor a temp file on either path.
 */
class LocalWritesModeTest {
    private static final long LIMIT = 1 << 20;
    /** O_DIRECT in an fdinfo's octal {@code flags}: 040000 on x86, 0200000 on arm64. */
    private static final int O_DIRECT = "aarch64".equals(System.getProperty("os.arch")) ? 0200000 : 040000;

    private Path root;
    private Path tempDir;
    private ExecutorService executor;
    private LocalWrites writes;

    @BeforeEach
    void setUp() throws IOException {
        Path base = Path.of("target");
        Files.createDirectories(base);
        root = Files.createTempDirectory(base.toAbsolutePath(), "local-writes-");
        tempDir = Files.createDirectories(root.resolve(".tmp"));
        executor = Executors.newCachedThreadPool();
        writes = new LocalWrites(
                new SecurePaths(root), new LocalFiles(root), tempDir, new LocalIo(executor), false, LIMIT);
    }

    @AfterEach
    void tearDown() throws IOException {
        executor.shutdownNow();
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theDeclaredLengthChoosesThePath() {
        assumeTrue(writes.direct(), "the disk under target/ takes no O_DIRECT");
        assertFalse(writes.directFor(OptionalLong.of(0)));
        assertFalse(writes.directFor(OptionalLong.of(LIMIT - 1)));
        assertTrue(writes.directFor(OptionalLong.of(LIMIT)));
        assertTrue(writes.directFor(OptionalLong.empty()), "an unknown length may be any length");
        assertEquals(256L << 20, LocalWrites.BUFFERED_BELOW);
    }

    @Test
    void aShortBodyGoesThroughThePageCacheALongOrUnknownOneDirectSameBytesAndDigest() throws Exception {
        assumeTrue(writes.direct(), "the disk under target/ takes no O_DIRECT");
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "no /proc to see the open flags");
        Random random = new Random(14);
        record Case(int size, boolean declared, boolean direct) {}
        for (Case c : List.of(
                new Case((int) LIMIT / 2, true, false),
                new Case((int) LIMIT - 1, true, false),
                new Case((int) LIMIT * 2 + 123, true, true),
                new Case((int) LIMIT / 2, false, true))) {
            byte[] body = new byte[c.size()];
            random.nextBytes(body);
            ObjectKey key = ObjectKey.parse("temp/modes/" + c.size() + "-" + c.declared() + ".bin");
            Controlled source = new Controlled();
            CompletableFuture<PutResult> put = writes.write(
                            key,
                            source.body(),
                            c.declared() ? OptionalLong.of(body.length) : OptionalLong.empty(),
                            null)
                    .subscribeAsCompletionStage();
            MultiEmitter<? super ByteBuffer> emitter = source.await();
            emitter.emit(ByteBuffer.wrap(body, 0, 1000));
            Path temp = awaitTempFile();
            assertEquals(c.direct(), (openFlags(temp) & O_DIRECT) != 0, c + ": O_DIRECT");
            for (int at = 1000; at < body.length; at += 64 * 1024) {
                emitter.emit(ByteBuffer.wrap(body, at, Math.min(64 * 1024, body.length - at)));
            }
            emitter.complete();
            PutResult result = put.get();
            assertArrayEquals(body, Files.readAllBytes(root.resolve(key.value())), c + ": the bytes");
            assertEquals(sha256(body), result.sha256(), c + ": the digest");
            assertEquals(body.length, result.info().size());
            assertTempEmpty();
        }
    }

    @Test
    void anInterruptedBodyLeavesNothingOnEitherPath() throws Exception {
        for (long declared : new long[] {LIMIT / 2, LIMIT * 2}) {
            ObjectKey key = ObjectKey.parse("temp/interrupted/" + declared + ".bin");
            Controlled source = new Controlled();
            CompletableFuture<PutResult> put = writes.write(key, source.body(), OptionalLong.of(declared), null)
                    .subscribeAsCompletionStage();
            MultiEmitter<? super ByteBuffer> emitter = source.await();
            emitter.emit(ByteBuffer.wrap(new byte[(int) LIMIT / 4]));
            awaitTempFile();
            emitter.fail(new IOException("the client went away"));
            assertThrows(Exception.class, put::get);
            assertFalse(Files.exists(root.resolve(key.value())), declared + ": no object");
            assertTempEmpty();
        }
    }

    /** A body whose buffers the test emits by hand once the write has subscribed. */
    private static final class Controlled {
        private final CompletableFuture<MultiEmitter<? super ByteBuffer>> emitter = new CompletableFuture<>();

        Multi<ByteBuffer> body() {
            return Multi.createFrom().<ByteBuffer>emitter(emitter::complete);
        }

        MultiEmitter<? super ByteBuffer> await() throws Exception {
            return emitter.get();
        }
    }

    private Path awaitTempFile() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> temps = Files.list(tempDir)) {
                Optional<Path> temp = temps.filter(
                                p -> p.getFileName().toString().startsWith("put-"))
                        .findFirst();
                if (temp.isPresent()) {
                    return temp.get();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no temp file appeared in " + tempDir);
    }

    /** The flags this process opened {@code file} with (the first descriptor on it), from /proc/self/fdinfo. */
    private static int openFlags(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException gone) {
                    continue;
                }
                if (target.equals(real)) {
                    for (String line : Files.readAllLines(
                            Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                        if (line.startsWith("flags:")) {
                            return Integer.parseInt(
                                    line.substring("flags:".length()).trim(), 8);
                        }
                    }
                }
            }
        }
        throw new AssertionError("no open descriptor on " + file);
    }

    private void assertTempEmpty() throws IOException {
        try (Stream<Path> temps = Files.list(tempDir)) {
            assertEquals(List.of(), temps.toList(), "no temp file left");
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
