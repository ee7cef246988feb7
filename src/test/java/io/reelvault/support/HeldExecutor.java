package io.reelvault.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A store's executor for tests of what happens while a task waits for a thread: while {@link #hold held}, it keeps the
 * tasks given to it until {@link #release}, then runs them on its threads (as many as asked).
 */
public final class HeldExecutor extends ThreadPoolExecutor {
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;

    public HeldExecutor(int threads) {
        super(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        allowCoreThreadTimeOut(true);
    }

    public synchronized void hold() {
        holding = true;
    }

    /** The tasks kept so far. */
    public synchronized int held() {
        return held.size();
    }

    /** Runs the tasks kept, in their order, and no longer keeps new ones. */
    public void release() {
        List<Runnable> tasks;
        synchronized (this) {
            holding = false;
            tasks = new ArrayList<>(held);
            held.clear();
        }
        tasks.forEach(super::execute);
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (holding) {
                held.add(task);
                return;
            }
        }
        super.execute(task);
    }
}
