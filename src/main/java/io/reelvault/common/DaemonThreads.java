package io.reelvault.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the service's own background threads: daemons (they never hold the JVM open), named. */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Every thread is called {@code name} (for a pool of one). */
    public static ThreadFactory named(String name) {
        return runnable -> daemon(runnable, name);
    }

    /** Threads called {@code prefix1}, {@code prefix2}, ... (for a pool of several). */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> daemon(runnable, prefix + count.incrementAndGet());
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
