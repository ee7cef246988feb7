package io.reelvault.media;

import io.reelvault.common.DaemonThreads;
import io.reelvault.media.MediaException.Reason;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs ffmpeg and ffprobe on a bounded pool of its own, never on the caller's thread. At most {@code workers}
 * tasks run at once and at most {@code queue} wait; a task beyond that fails at once with
 * {@link Reason#BUSY}. Each process has a deadline counted from its start; at the deadline, when the task's
 * {@link Uni} is cancelled, and at {@link #close()}, the process and its descendants are killed. A process's
 * standard input is closed; its standard output is discarded or captured up to a cap; its standard error is
 * drained concurrently (so that no pipe fills up) and only its tail kept, redacted, for the failure message.
 */
final class ProcessRunner implements AutoCloseable {
    /** How long a killed process may take to exit, and its output streams to reach their end once it has. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int CANCELLED = 3;

    /** The work of one task, run on a pool thread. */
    interface Job<T> {
        /** Runs the task, starting its processes through {@code processes}; fails with a {@link MediaException}. */
        T run(Processes processes);

        /** Disposes of a result that is not delivered because the task was cancelled meanwhile. */
        default void discard(T result) {}
    }

    /** Runs the processes of one task. */
    interface Processes {
        /**
         * Runs {@code command} (no shell) to its end.
         *
         * @param deadline how long the process may run before it is killed
         * @param maxStdout the most bytes of standard output captured; 0 discards standard output
         * @param redactor makes standard error safe for the failure message
         * @return the captured standard output (empty when discarded)
         * @throws MediaException TIMED_OUT past the deadline; FAILED on a non-zero exit status (with the redacted
         *     tail of standard error), on more than {@code maxStdout} bytes, or when the process cannot start;
         *     UNAVAILABLE when the runner is closing
         * @throws CancellationException when the task has been cancelled (the process is killed)
         */
        byte[] run(List<String> command, Duration deadline, int maxStdout, Redactor redactor);
    }

    private final ThreadPoolExecutor pool;
    private final ThreadPoolExecutor readers;

    /**
     * @param workers tasks running at once, at least 1
     * @param queue tasks waiting for a worker, at least 0
     */
    ProcessRunner(int workers, int queue) {
        if (workers < 1 || queue < 0) {
            throw new IllegalArgumentException(
                    "media workers must be at least 1 and the queue at least 0, not " + workers + " and " + queue);
        }
        BlockingQueue<Runnable> waiting = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
        pool = new ThreadPoolExecutor(
                workers, workers, 30, TimeUnit.SECONDS, waiting, DaemonThreads.numbered("reelvault-media-"));
        pool.allowCoreThreadTimeOut(true);
        // two output readers per running process, so never a wait
        readers = new ThreadPoolExecutor(
                2 * workers,
                2 * workers,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                DaemonThreads.numbered("reelvault-media-io-"));
        readers.allowCoreThreadTimeOut(true);
    }

    /**
     * A Uni that, on each subscription, queues {@code job} and delivers its result or failure on a pool thread
     * (switch threads downstream for anything long). Cancelling it removes a queued task, or kills the
     * running task's process; a result produced meanwhile goes to {@link Job#discard}.
     */
    <T> Uni<T> submit(Job<T> job) {
        return Uni.createFrom().emitter(emitter -> {
            Task<T> task = new Task<>(job, emitter);
            emitter.onTermination(task::cancel);
            try {
                pool.execute(task);
            } catch (RejectedExecutionException e) {
                task.fail(
                        pool.isShutdown()
                                ? stopped()
                                : new MediaException(
                                        Reason.BUSY, "every media worker is busy and the media queue is full"));
            }
        });
    }

    /** Fails the waiting tasks and kills the running processes; their tasks fail with {@link Reason#UNAVAILABLE}. */
    @Override
    public void close() {
        for (Runnable waiting : pool.shutdownNow()) {
            ((Task<?>) waiting).fail(stopped());
        }
        readers.shutdownNow();
    }

    private final class Task<T> implements Runnable, Processes {
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private final Job<T> job;
        private final UniEmitter<? super T> emitter;
        private volatile Process current;

        Task(Job<T> job, UniEmitter<? super T> emitter) {
            this.job = job;
            this.emitter = emitter;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return;
            }
            T result;
            try {
                result = job.run(this);
            } catch (CancellationException e) {
                return;
            } catch (MediaException e) {
                fail(e);
                return;
            } catch (RuntimeException | Error e) {
                fail(new MediaException(
                        Reason.FAILED, "unexpected failure: " + e.getClass().getSimpleName()));
                throw e;
            }
            if (end(DONE)) {
                emitter.complete(result);
            } else {
                job.discard(result);
            }
        }

        void fail(MediaException failure) {
            if (end(DONE)) {
                emitter.fail(failure);
            }
        }

        /** Called on the subscriber's thread when the Uni terminates: must not block. */
        void cancel() {
            if (end(CANCELLED)) {
                pool.remove(this);
                Process process = current;
                if (process != null) {
                    signalKill(process);
                }
            }
        }

        private boolean end(int to) {
            for (int now = state.get(); now < DONE; now = state.get()) {
                if (state.compareAndSet(now, to)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public byte[] run(List<String> command, Duration deadline, int maxStdout, Redactor redactor) {
            String tool = Path.of(command.get(0)).getFileName().toString();
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectOutput(maxStdout > 0 ? Redirect.PIPE : Redirect.DISCARD);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new MediaException(Reason.FAILED, "could not start " + tool);
            }
            current = process;
            try {
                return await(process, tool, deadline, maxStdout, redactor);
            } finally {
                current = null;
                kill(process);
            }
        }

        private byte[] await(Process process, String tool, Duration deadline, int maxStdout, Redactor redactor) {
            try {
                process.getOutputStream().close();
                if (state.get() == CANCELLED) {
                    throw new CancellationException();
                }
                Future<byte[]> stdout = maxStdout > 0
                        ? readers.submit(() -> readAtMost(process, maxStdout))
                        : CompletableFuture.completedFuture(new byte[0]);
                Future<OutputTail> stderr = readers.submit(() -> {
                    try (InputStream in = process.getErrorStream()) {
                        return OutputTail.read(in, redactor.rawBytesToKeep());
                    }
                });
                boolean exited = process.waitFor(deadline.toNanos(), TimeUnit.NANOSECONDS);
                if (state.get() == CANCELLED) {
                    throw new CancellationException();
                }
                if (!exited) {
                    throw new MediaException(
                            Reason.TIMED_OUT, tool + " did not finish within " + deadline.toMillis() + " ms");
                }
                byte[] out = stdout.get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                if (out == null) {
                    throw new MediaException(Reason.FAILED, tool + " wrote more than " + maxStdout + " bytes");
                }
                if (process.exitValue() != 0) {
                    OutputTail tail = stderr.get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                    String detail = redactor.clean(tail.bytes(), tail.truncated());
                    throw new MediaException(
                            Reason.FAILED,
                            tool + " exited with status " + process.exitValue()
                                    + (detail.isEmpty() ? "" : ": " + detail));
                }
                return out;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stopped();
            } catch (RejectedExecutionException e) {
                throw stopped();
            } catch (IOException | ExecutionException | TimeoutException e) {
                throw new MediaException(Reason.FAILED, "could not read the output of " + tool);
            }
        }
    }

    /** Standard output up to {@code max} bytes; null (and the process killed) when there is more. */
    private static byte[] readAtMost(Process process, int max) throws IOException {
        try (InputStream in = process.getInputStream()) {
            byte[] data = in.readNBytes(max + 1);
            if (data.length > max) {
                signalKill(process);
                return null;
            }
            return data;
        }
    }

    /** Sends the kill signal to the process and its descendants, without waiting. */
    private static void signalKill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Kills the process and its descendants (nothing when it has exited) and waits, within {@link #GRACE}, for it to exit. */
    private static void kill(Process process) {
        signalKill(process);
        try {
            process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MediaException stopped() {
        return new MediaException(Reason.UNAVAILABLE, "media work has stopped: the service is shutting down");
    }
}
