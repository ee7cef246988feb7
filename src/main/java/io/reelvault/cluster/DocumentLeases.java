package io.reelvault.cluster;

import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * Leases per stored document, held by one replica at a time around its read-modify-write of the document
 * (the service's {@code metadata.json} updates). They add to the conditional writes of {@link ObjectStore#putIf},
 * which alone make such updates safe wherever the storage checks the condition atomically (AWS S3, MinIO, the local
 * backend): with a lease the replicas take turns instead of racing and retrying, and a server that checks
 * {@code If-Match} and then writes in two steps (s3proxy's filesystem store) is safe too. Only one bean implements
 * it ({@code io.reelvault.redis.RedisDocumentLeases}: a Redis lease on S3 with {@code REELVAULT_REDIS_URL}, nothing
 * otherwise), so that the service needs no import of {@code redis/}.
 */
public interface DocumentLeases {

    /**
     * Runs {@code action} while holding {@code key}'s lease when one can be had: a lease held by another replica is
     * waited for (a bounded while); without leases, or when they cannot be taken (Redis unavailable, or the wait
     * ran out), the action runs without one, protected by the conditional write alone. The lease is given back
     * however the action ends.
     */
    <T> Uni<T> around(ObjectKey key, Supplier<Uni<T>> action);

    /** No leases: every action runs at once. */
    DocumentLeases NONE = new DocumentLeases() {
        @Override
        public <T> Uni<T> around(ObjectKey key, Supplier<Uni<T>> action) {
            return Uni.createFrom().deferred(action::get);
        }
    };
}
