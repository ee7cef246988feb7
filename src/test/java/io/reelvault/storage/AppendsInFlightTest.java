package io.reelvault.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.TusUploadId;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    /** An append of {@link #id} whose outcome is {@code result}'s, subscribed: its answer. */
    private CompletableFuture<Long> appending(CompletableFuture<Long> result) {
        return appends.track(id, settling -> Uni.createFrom().completionStage(result))
                .subscribeAsCompletionStage();
    }

    @Test
    void nothingInFlightIsSettled() {
        assertTrue(settledNow());
    }

    @Test
    void anAppendIsInFlightUntilItsUniEnds() {
        CompletableFuture<Long> result = new CompletableFuture<>();
        CompletableFuture<Long> answered = appending(result);
        assertFalse(settledNow());
        result.complete(42L);
        assertEquals(42L, answered.join());
        assertTrue(settledNow());
    }

    @Test
    void aFailedAppendIsSettledWhenItFails() {
        CompletableFuture<Long> result = new CompletableFuture<>();
        CompletableFuture<Long> answered = appending(result);
        assertFalse(settledNow());
        result.completeExceptionally(new IllegalStateException("cut"));
        assertTrue(answered.isCompletedExceptionally());
        assertTrue(settledNow());
    }

    @Test
    void aCancelledAppendThatSettlesOnTheSideHoldsTheUploadUntilItIsDone() {
        List<Runnable> queued = new ArrayList<>(); // an executor that runs its work when the test says
        AtomicBoolean kept = new AtomicBoolean();
        Cancellable request = appends.track(
                        id,
                        settling -> Uni.createFrom()
                                .<Long>nothing()
                                .onCancellation()
                                .invoke(() -> settling.onTheSide(queued::add, () -> kept.set(true))))
                .subscribe()
                .with(item -> {});
        CompletableFuture<Void> settled = appends.settled(id).subscribeAsCompletionStage();
        request.cancel(); // the client vanished
        assertEquals(1, queued.size(), "the cancellation reaches the append, which settles on the side");
        assertFalse(settled.isDone(), "the bytes are still being kept");
        queued.get(0).run();
        assertTrue(kept.get());
        settled.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertTrue(settledNow());
    }

    @Test
    void aCancelledAppendWhoseExecutorRefusesTheWorkIsSettledAtOnce() {
        Cancellable request = appends.track(
                        id,
                        settling -> Uni.createFrom()
                                .<Long>nothing()
                                .onCancellation()
                                .invoke(() -> settling.onTheSide(
                                        work -> {
                                            throw new RejectedExecutionException("shutting down");
                                        },
                                        () -> {})))
                .subscribe()
                .with(item -> {});
        CompletableFuture<Void> settled = appends.settled(id).subscribeAsCompletionStage();
        request.cancel();
        assertTrue(settled.isDone(), "an upload is never left locked");
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

    /**
     * A first step (e.g. opening the file) cancelled before it ends: the cancellation claims it, so the append that
     * would take its result cannot, and what the step makes is settled once it ends; the lease waits for that.
     */
    @Test
    void aFirstStepClaimedByTheCancellationIsSettledOnceItHasEnded() {
        List<String> settledWith = new ArrayList<>();
        List<AppendsInFlight.FirstStep<String>> steps = new ArrayList<>();
        Cancellable request = appends.track(id, settling -> {
                    steps.add(settling.firstStep(Runnable::run, settledWith::add));
                    return Uni.createFrom().<Long>nothing(); // the step runs elsewhere, not yet ended
                })
                .subscribe()
                .with(item -> {});
        CompletableFuture<Void> settled = appends.settled(id).subscribeAsCompletionStage();
        request.cancel();
        assertFalse(settled.isDone(), "the lease waits for what the step makes");
        AppendsInFlight.FirstStep<String> step = steps.get(0);
        assertFalse(step.take(), "the cancellation claimed it: the append does not take it");
        step.ended("open file");
        assertEquals(List.of("open file"), settledWith, "settled once, when made");
        assertTrue(settled.isDone());
    }

    /** A first step the append took first: its cancellation later settles nothing of it (the append's own branch does). */
    @Test
    void aFirstStepTakenByTheAppendIsNotSettledByItsCancellation() {
        List<String> settledWith = new ArrayList<>();
        Cancellable request = appends.track(id, settling -> {
                    AppendsInFlight.FirstStep<String> step = settling.firstStep(Runnable::run, settledWith::add);
                    step.ended("open file");
                    assertTrue(step.take(), "the append takes what the step made");
                    return Uni.createFrom().<Long>nothing();
                })
                .subscribe()
                .with(item -> {});
        request.cancel();
        assertEquals(List.of(), settledWith);
        assertTrue(settledNow(), "nothing left to settle on the side");
    }

    /** A first step that made nothing (it failed, or its executor refused it): the cancellation has nothing to settle. */
    @Test
    void aFirstStepThatMadeNothingSettlesAtOnceWhenItEnds() {
        List<String> settledWith = new ArrayList<>();
        List<AppendsInFlight.FirstStep<String>> steps = new ArrayList<>();
        Cancellable request = appends.track(id, settling -> {
                    steps.add(settling.firstStep(Runnable::run, settledWith::add));
                    return Uni.createFrom().<Long>nothing();
                })
                .subscribe()
                .with(item -> {});
        request.cancel();
        assertFalse(settledNow());
        steps.get(0).ended(null);
        assertEquals(List.of(), settledWith);
        assertTrue(settledNow());
    }
}
