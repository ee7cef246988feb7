package io.reelvault.cluster;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Work that runs once per cluster at a time (usage scans, sweeps, scrubs): a run takes its {@link ClusterLock}
 * without waiting, does the work and lets the lock go however the work ends. A run is skipped at once when this
 * process is already running the job, or when another holder (another process or replica) has the lock.
 *
 * <p>Get one from {@link ClusterLocks#job(String)}; the lock is looked up on the first run, so that a job that
 * never runs (another backend's, or in an operator command) opens nothing.
 */
public final class ClusterJob {
    private final Supplier<ClusterLock> lookup;
    private final boolean scheduled;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile ClusterLock lock;

    /** A job under {@code lock} that only runs when called (tests); {@link #onSchedule} does nothing. */
    public ClusterJob(ClusterLock lock) {
        this(() -> lock, false);
    }

    ClusterJob(Supplier<ClusterLock> lookup, boolean scheduled) {
        this.lookup = lookup;
        this.scheduled = scheduled;
    }

    /** The job's work: a result, or a failure that ends the run. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** One scheduled turn: typically a run and a log line about what it did. */
    @FunctionalInterface
    public interface Turn {
        void run() throws Exception;
    }

    /** {@link #run(Work, Runnable)} with nothing to do when the lock is held elsewhere. */
    public <T, E extends Exception> Optional<T> run(Work<T, E> work) throws E {
        return run(work, () -> {});
    }

    /**
     * Runs {@code work} while holding the lock. Blocking: call it from a worker thread.
     *
     * @param heldElsewhere called (without the lock) when another holder has it; not when this process is the one
     *                      already running the job
     * @return the work's result; empty, at once, when the run was skipped
     * @throws E the work's failure, after the lock was let go; a lock that cannot be used fails as it does
     *           ({@link ClusterLock#tryLock})
     */
    public <T, E extends Exception> Optional<T> run(Work<T, E> work, Runnable heldElsewhere) throws E {
        if (!running.compareAndSet(false, true)) {
            return Optional.empty();
        }
        try {
            Optional<ClusterLock.Held> held = lock().tryLock();
            if (held.isEmpty()) {
                heldElsewhere.run();
                return Optional.empty();
            }
            try (ClusterLock.Held h = held.get()) {
                return Optional.of(work.run());
            }
        } finally {
            running.set(false);
        }
    }

    /**
     * One turn of the job on its schedule, when the job runs on one (else nothing): a failure is logged at WARN as
     * {@code "{failed}: {error}"} (the next turn retries) and never reaches the scheduler.
     */
    public void onSchedule(Logger log, String failed, Turn turn) {
        if (!scheduled) {
            return;
        }
        try {
            turn.run();
        } catch (Exception e) {
            // store failures carry no secrets (the store logs their cause)
            log.warnf("%s: %s", failed, e.toString());
        }
    }

    /** Releases what the lock keeps open (a lock file's channel), when it was ever looked up. */
    public void close() {
        if (lock instanceof FileClusterLock file) {
            file.close();
        }
    }

    private ClusterLock lock() {
        ClusterLock l = lock;
        if (l == null) {
            l = lookup.get();
            lock = l;
        }
        return l;
    }
}
