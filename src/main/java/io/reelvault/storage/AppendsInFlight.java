package io.reelvault.storage;

import io.reelvault.model.TusUploadId;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A store's resumable appends in flight in this process, each until its bytes are settled (kept or cut): when its
 * {@code Uni} ends, or, for an append that was cancelled (its client vanished) and settles on the side, when that is
 * done. {@link ResumableWrites#settled} answers from it, so that the upload's lease is given back only then: another
 * request never reads an offset, or appends, while a cancelled append is still keeping its bytes.
 */
public final class AppendsInFlight {
    private final ConcurrentHashMap<TusUploadId, CompletableFuture<Void>> appends = new ConcurrentHashMap<>();

    /** One append's settling; {@link #onTheSide} when it goes on after its cancellation. */
    public static final class Settling {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AtomicBoolean onTheSide = new AtomicBoolean();
        private final List<Runnable> hooks = new CopyOnWriteArrayList<>();

        /**
         * Runs {@code work}, an append's settling after its cancellation, on {@code executor}: the append is settled
         * when it ends, however (or at once when the executor refuses it, the store shutting down).
         */
        public void onTheSide(Executor executor, Runnable work) {
            onTheSide.set(true);
            try {
                executor.execute(() -> {
                    try {
                        work.run();
                    } finally {
                        done();
                    }
                });
            } catch (RuntimeException refused) { // the process is stopping: nothing will settle, nothing may wait
                done();
            }
        }

        /**
         * The append settles on the side once {@code settled} completes, however it completes: for a cancellation
         * that overtook a step still running elsewhere, which settles what that step made when it ends.
         */
        public void onTheSide(CompletionStage<?> settled) {
            onTheSide.set(true);
            settled.whenComplete((ignored, e) -> done());
        }

        /**
         * Runs {@code hook} when the append is cancelled, within the cancellation and before its {@code Uni} is told:
         * for a step whose item Mutiny would drop, or that has not even started (a cancellation does not reach a
         * {@code Uni} that its executor has not subscribed yet), and which may then settle on the side.
         */
        public void onCancellation(Runnable hook) {
            hooks.add(hook);
        }

        /**
         * The first step of an append (opening its file, reading its tail), whose result the append and its
         * cancellation claim once ({@link FirstStep}): when the cancellation claims it, {@code settle} gets what the step
         * made once it is there (nothing when it made nothing), on {@code executor}, and the append settles on the side
         * until that is done.
         */
        public <S> FirstStep<S> firstStep(Executor executor, Consumer<S> settle) {
            FirstStep<S> step = new FirstStep<>();
            onCancellation(() -> {
                if (step.claim()) {
                    step.cancelled = true;
                    onTheSide(step.made.thenAcceptAsync(
                            made -> {
                                if (made != null) {
                                    settle.accept(made);
                                }
                            },
                            executor));
                }
            });
            return step;
        }

        private void cancelled() {
            hooks.forEach(Runnable::run);
        }

        private void done() {
            done.complete(null);
        }
    }

    /**
     * An append's first step, which runs elsewhere (on an executor) and makes what the rest of the append uses: Mutiny
     * drops the item of a cancelled step, and a cancellation does not even reach a step its executor has not started
     * (it still runs once a thread is free). So the step {@link #run}s through it, which tells what the step made when it
     * ends, whatever happens to its {@code Uni} (or {@link #ended} with nothing when the step never runs), and the
     * append {@link #take}s it; whichever of the append and its cancellation claims it first owns it
     * ({@link Settling#firstStep}).
     */
    public static final class FirstStep<S> {
        private final CompletableFuture<S> made = new CompletableFuture<>();
        private final AtomicBoolean claimed = new AtomicBoolean();
        private volatile boolean cancelled;

        /** Runs {@code step} (on the executor's thread) and tells what it made when it ends, however it ends. */
        public <E extends Exception> S run(Work<S, E> step) throws E {
            S result = null;
            try {
                result = step.run();
                return result;
            } finally {
                ended(result);
            }
        }

        /** The step has ended with {@code result}: {@code null} when it made nothing (it failed, or never ran). */
        public void ended(S result) {
            made.complete(result);
        }

        /** The append takes what the step made: false when its cancellation has claimed it (and settles it). */
        public boolean take() {
            return claim();
        }

        /**
         * Whether the append's cancellation has claimed the step: a step that waits (e.g. for buffer budget) may give up,
         * since nothing will use what it makes.
         */
        public boolean cancelled() {
            return cancelled;
        }

        private boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        /** A first step's work. */
        @FunctionalInterface
        public interface Work<S, E extends Exception> {
            S run() throws E;
        }
    }

    /**
     * Runs {@code append} (given its {@link Settling}) as an append of {@code id} in flight until it has settled. Its
     * cancellation is passed on to {@code append} at once, whose own cancellation branch then either settles on the
     * side ({@link Settling#onTheSide}) or has nothing left to settle.
     */
    public <T> Uni<T> track(TusUploadId id, Function<Settling, Uni<T>> append) {
        return Uni.createFrom().emitter(emitter -> {
            Settling settling = new Settling();
            appends.put(id, settling.done); // under the upload's lease: one append of it at a time
            settling.done.whenComplete((ignored, e) -> appends.remove(id, settling.done));
            AtomicBoolean answered = new AtomicBoolean();
            Cancellable upstream;
            try {
                upstream = append.apply(settling)
                        .subscribe()
                        .with(
                                item -> {
                                    answered.set(true);
                                    settling.done();
                                    emitter.complete(item);
                                },
                                failure -> {
                                    answered.set(true);
                                    settling.done();
                                    emitter.fail(failure);
                                });
            } catch (RuntimeException | Error e) {
                answered.set(true);
                settling.done();
                throw e;
            }
            emitter.onTermination(() -> {
                if (!answered.get()) { // cancelled: the hooks, then the append's own branch, run within this call
                    settling.cancelled();
                    upstream.cancel();
                    if (!settling.onTheSide.get()) {
                        settling.done();
                    }
                }
            });
        });
    }

    /** Completes once no append of {@code id} is in flight in this process (at once when none is). */
    public Uni<Void> settled(TusUploadId id) {
        CompletableFuture<Void> done = appends.get(id);
        return done == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(done);
    }
}
