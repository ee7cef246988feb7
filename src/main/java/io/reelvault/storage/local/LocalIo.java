package io.reelvault.storage.local;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * How the local backend runs its file work: on the given blocking executor, never on the caller's thread, with every
 * {@link IOException} turned into the service's errors: {@code insufficient_storage} (507) for a full disk
 * ({@code ENOSPC}, or {@code EDQUOT}), {@code storage_unavailable} otherwise.
 */
final class LocalIo {
    /** The store's own category: its operators know its log lines by it. */
    private static final Logger LOG = Logger.getLogger(LocalObjectStore.class);

    private final Executor executor;

    LocalIo(Executor executor) {
        this.executor = executor;
    }

    /** The blocking executor, for work that is not a {@link Uni} of its own. */
    Executor executor() {
        return executor;
    }

    /** {@code action} on the blocking executor, at each subscription; its I/O failures translated. */
    <T> Uni<T> blocking(IoSupplier<T> action) {
        return here(action).runSubscriptionOn(executor);
    }

    /**
     * {@code action} on the subscribing thread, at each subscription, its I/O failures translated as {@link #blocking}'s:
     * for the few system calls that cost less than a trip to the executor (a stat, a small read).
     */
    static <T> Uni<T> here(IoSupplier<T> action) {
        // the failure translated inside the step, not by an operator of its own (each costs on every request)
        return Uni.createFrom().item((Supplier<T>) () -> {
            try {
                return io(action);
            } catch (UncheckedIOException e) {
                throw unavailable(e);
            }
        });
    }

    /** Runs {@code action} here, its {@link IOException} rethrown unchecked (for {@link #unavailable}). */
    static <T> T io(IoSupplier<T> action) {
        try {
            return action.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ReelvaultException unavailable(Throwable e) {
        if (noSpace(e)) {
            LOG.warnf("local storage is full: %s", e.getCause() != null ? e.getCause() : e);
            return full("no space left on its filesystem; nothing of the request was stored");
        }
        LOG.warnf("local storage failed: %s", e.getCause() != null ? e.getCause() : e);
        return new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "local storage failed", e);
    }

    /**
     * Whether the failure is the filesystem's {@code ENOSPC} or {@code EDQUOT}: Java reports neither as a type of its own,
     * only by the C library's message (a {@link FileSystemException}'s reason, or a plain {@link IOException}'s message
     * from a channel write), which is English under the C and English locales the service runs in.
     */
    static boolean noSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
            if (t instanceof IOException
                    && message != null
                    && (message.contains("No space left on device") || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    static ReelvaultException full(String why) {
        return new ReelvaultException(ErrorCode.INSUFFICIENT_STORAGE, "the storage is full: " + why);
    }

    /** File work that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }
}
