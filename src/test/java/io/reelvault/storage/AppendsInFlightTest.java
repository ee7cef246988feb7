package io.reelvault.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.TusUploadId;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An upload's lease is given back once its append has settled: a cancelled append that keeps its bytes on the side
 * holds {@link AppendsInFlight#settled} until that is done (the race TusApiS3Test's interrupted PATCH met: the next
 * request read the offset before the cancelled append recorded its bytes).
 */
class AppendsInFlightTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final AppendsInFlight appends = new AppendsInFlight();
    private final TusUploadId id = TusUploadId.generate(java.time.Clock.systemUTC());

    private boolean settledNow() {
        return appends.settled(id).subscribeAsCompletionStage().isDone();
    }

    @Test
    void nothingInFlightIsSettled() {
        assertTrue(settledNow());
    }

    @Test
    void anAppendIsInFlightUntilItsUniEnds() {
        CompletableFuture<Long> result = new CompletableFuture<>();
        CompletableFuture<Long> answered = appends.track(
                        id, settling -> Uni.createFrom().completionStage(result))
                .subscribeAsCompletionStage();
        assertFalse(settledNow());
        result.complete(42L);
        assertEquals(42L, answered.join());
        assertTrue(settledNow());
    }

    @Test
    void aFailedAppendIsSettledWhenItFails() {
        CompletableFuture<Long> result = new CompletableFuture<>();
        CompletableFuture<Long> answered = appends.track(
                        id, settling -> Uni.createFrom().completionStage(result))
                .subscribeAsCompletionStage();
        result.completeExceptionally(new IllegalStateException("cut"));
        assertTrue(answered.isCompletedExceptionally());
        assertTrue(settledNow());
    }

    @Test
    void aCancelledAppendThatSettlesOnTheSideHoldsTheUploadUntilItIsDone() {
        AtomicReference<AppendsInFlight.Settling> side = new AtomicReference<>();
        AtomicBoolean cancelledUpstream = new AtomicBoolean();
        Cancellable request = appends.track(
                        id,
                        settling -> Uni.createFrom()
                                .<Long>nothing()
                                .onCancellation()
                                .invoke(() -> {
                                    cancelledUpstream.set(true);
                                    settling.onTheSide();
                                    side.set(settling);
                                }))
                .subscribe()
                .with(item -> {});
        CompletableFuture<Void> settled = appends.settled(id).subscribeAsCompletionStage();
        request.cancel(); // the client vanished
        assertTrue(cancelledUpstream.get(), "the cancellation reaches the append");
        assertFalse(settled.isDone(), "the bytes are still being kept");
        side.get().done();
        settled.orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                .join();
        assertTrue(settledNow());
    }

    @Test
    void aCancelledAppendWithNothingToSettleIsSettledAtOnce() {
        Cancellable request = appends.track(id, settling -> Uni.createFrom().<Long>nothing())
                .subscribe()
                .with(item -> {});
        CompletableFuture<Void> settled = appends.settled(id).subscribeAsCompletionStage();
        assertFalse(settled.isDone());
        request.cancel();
        assertTrue(settled.isDone());
    }
}
