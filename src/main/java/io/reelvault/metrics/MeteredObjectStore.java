package io.reelvault.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Meters every call of the store it wraps, in one place: a request counter by operation and
 * outcome, a duration timer by operation, and the bytes that flow in and out. Outcomes:
 * {@code success}, {@code not_found}, {@code client_error} (bad length, bad range, bad body),
 * {@code error} (backend failure), {@code cancelled}.
 */
public final class MeteredObjectStore implements ObjectStore {
    private final ObjectStore delegate;
    private final MeterRegistry registry;
    private final Counter bytesIn;
    private final Counter bytesOut;

    public MeteredObjectStore(ObjectStore delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
        this.bytesIn = Counter.builder(StorageMetrics.TRANSFER).baseUnit("bytes").tag("direction", "in")
                .description("Body bytes written to storage").register(registry);
        this.bytesOut = Counter.builder(StorageMetrics.TRANSFER).baseUnit("bytes").tag("direction", "out")
                .description("Body bytes read from storage").register(registry);
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        Multi<ByteBuffer> counted = body.onItem().invoke(b -> bytesIn.increment(b.remaining()));
        return metered("put", delegate.put(key, counted, length, contentType));
    }

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return metered("get", delegate.get(key, range)).onItem().transform(c -> new ObjectContent(c.info(), c.range(),
                c.body().onItem().invoke(b -> bytesOut.increment(b.remaining()))));
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return metered("head", delegate.head(key));
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return metered("delete", delegate.delete(key));
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        return metered("delete_many", delegate.deleteMany(keys));
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return Multi.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(registry);
            return delegate.list(prefix, startAfter)
                    .onCompletion().invoke(() -> record("list", sample, "success"))
                    .onFailure().invoke(e -> record("list", sample, outcome(e)))
                    .onCancellation().invoke(() -> record("list", sample, "success"));
        });
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return delegate.capability(type);
    }

    private <T> Uni<T> metered(String operation, Uni<T> call) {
        return Uni.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(registry);
            return call
                    .onItem().invoke(() -> record(operation, sample, "success"))
                    .onFailure().invoke(e -> record(operation, sample, outcome(e)))
                    .onCancellation().invoke(() -> record(operation, sample, "cancelled"));
        });
    }

    private void record(String operation, Timer.Sample sample, String outcome) {
        sample.stop(Timer.builder(StorageMetrics.REQUEST_DURATION).tag("operation", operation)
                .description("Time until a storage call's result").register(registry));
        Counter.builder(StorageMetrics.REQUESTS).tag("operation", operation).tag("outcome", outcome)
                .description("Storage calls by operation and outcome").register(registry).increment();
    }

    static String outcome(Throwable e) {
        if (e instanceof ReelvaultException r) {
            if (r.code() == ErrorCode.NOT_FOUND) {
                return "not_found";
            }
            return r.code().status() >= 500 ? "error" : "client_error";
        }
        return "error";
    }
}
