package io.reelvault.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits with a deadline for something the test can observe but not be told of: background work (thumbnails,
 * compression), a process or server reaching a state. Not for time itself to pass: code that reads a clock takes one
 * the test can move ({@link AdjustableClock}, a ticker).
 */
public final class Poll {
    private Poll() {}

    /** Checks every 100 ms until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Runs {@code assertion} every 100 ms until it passes; after {@code timeout} its last failure is thrown. */
    public static void untilPasses(Duration timeout, Runnable assertion) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for an assertion to pass");
            }
        }
    }
}
