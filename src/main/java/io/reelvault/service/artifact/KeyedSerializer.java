package io.reelvault.service.artifact;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs asynchronous actions one at a time per key, in arrival order, without blocking a thread: the
 * read-modify-write of one {@code metadata.json} by concurrent requests and background media work
 * of this replica, so that they queue instead of racing. Replicas do not queue with each other here:
 * what keeps their updates from overwriting each other is {@link MetadataStore#update} (conditional
 * writes, and Redis leases on S3). Holds an entry only while actions for the key are queued.
 */
public final class KeyedSerializer {
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    public <T> Uni<T> run(String key, Supplier<Uni<T>> action) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> previous = tails.put(key, mine);
            Uni<Void> turn = previous == null
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom().completionStage(previous);
            return turn.chain(ignored -> action.get()).onTermination().invoke(() -> {
                // cancelled while still waiting: the next in line must still wait for the one before
                CompletableFuture<Void> before = previous == null ? CompletableFuture.completedFuture(null) : previous;
                before.whenComplete((v, e) -> {
                    tails.remove(key, mine);
                    mine.complete(null);
                });
            });
        });
    }

    /** Keys with queued or running actions (for tests). */
    int busyKeys() {
        return tails.size();
    }
}
