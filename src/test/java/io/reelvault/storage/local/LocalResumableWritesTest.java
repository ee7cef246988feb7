package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.TusUploadId;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.support.HeldExecutor;
import io.reelvault.support.Poll;
import io.reelvault.support.Samples;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalResumableWrites}: an append whose client goes away while its bytes file is being opened (the request
 * cancelled before the append's first byte) gives back what the opening made, once it has made it: the open files,
 * the batch buffer and the running digest, which the next append continues; the upload's lease waits for that.
 */
class LocalResumableWritesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Path root;
    private long inUseBefore;
    private final HeldExecutor executor = new HeldExecutor(1);

    @BeforeEach
    void setUp() throws IOException {
        root = TargetFolders.create("local-resumable-");
        inUseBefore = WriteBuffers.inUse();
    }

    @AfterEach
    void tearDown() throws IOException {
        executor.shutdownNow();
        assertEquals(inUseBefore, WriteBuffers.inUse(), "every batch buffer given back");
        TargetFolders.delete(root);
    }

    @Test
    void anAppendCancelledWhileItOpensGivesBackWhatTheOpeningMade() throws Exception {
        LocalResumableWrites writes =
                new LocalResumableWrites(root, new LocalIo(executor), () -> PendingWrite.directBlockSize(root), false);
        TusUploadId id = TusUploadId.generate(Clock.systemUTC());
        writes.create(id, "{}".getBytes(StandardCharsets.UTF_8)).await().atMost(WAIT);
        byte[] bytes = Samples.png(300_000);
        int first = 100_000;
        OptionalLong length = OptionalLong.of(bytes.length);
        assertEquals(
                first,
                writes.append(id, 0, length, body(bytes, 0, first), e -> true)
                        .await()
                        .atMost(WAIT));

        executor.hold();
        Cancellable append = writes.append(id, first, length, body(bytes, first, bytes.length), e -> true)
                .subscribe()
                .with(ignored -> {}, ignored -> {});
        Poll.until(WAIT, "the opening waits for a thread", () -> executor.held() == 1);
        append.cancel(); // the client went away before the file was open
        CompletableFuture<Void> settled =
                writes.settled(id).subscribeAsCompletionStage().toCompletableFuture();
        assertFalse(settled.isDone(), "the lease waits for what the opening makes");
        executor.release();
        settled.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(inUseBefore, WriteBuffers.inUse(), "the opening's batch buffer given back");
        assertEquals(
                first,
                Files.size(root.resolve(LocalResumableWrites.DIR).resolve(id.value() + ".bin")),
                "no byte of it stored");

        assertEquals(
                bytes.length,
                writes.append(id, first, length, body(bytes, first, bytes.length), e -> true)
                        .await()
                        .atMost(WAIT));
        Multi<ByteBuffer> finished = writes.whole(id, bytes.length);
        assertTrue(finished instanceof AdoptableBody, "the finished bytes can be adopted");
        assertEquals(
                Samples.sha256(bytes),
                ((AdoptableBody) finished).digest().orElseThrow().sha256(),
                "the running digest went on: known without a read, and the bytes' own");
    }

    private static Multi<ByteBuffer> body(byte[] bytes, int from, int to) {
        List<ByteBuffer> chunks = new ArrayList<>();
        for (int at = from; at < to; at += 16 * 1024) {
            chunks.add(ByteBuffer.wrap(bytes, at, Math.min(16 * 1024, to - at)).slice());
        }
        return Multi.createFrom().iterable(chunks);
    }
}
