package io.reelvault.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.Area;
import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Meters every call of the store it wraps, in one place: a request counter by operation and
 * outcome, a duration timer by operation, and the bytes that flow in and out. Outcomes:
 * {@code success}, {@code not_found}, {@code client_error} (bad length, bad range, bad body),
 * {@code error} (backend failure), {@code cancelled}.
 *
 * <p>It also keeps the {@link UsageMeter}'s increments current, as cheaply as it can while staying honest:
 * <ul>
 * <li>A successful {@link #put} adds one object of its stored size. A put of at most
 * {@value #HEAD_BEFORE_SMALL_PUT} bytes (known length) heads the key first and, when an object was there,
 * subtracts it: the service rewrites its small JSON documents ({@code metadata.json} after every clip,
 * {@code timeline.json}), so they would otherwise count once per rewrite; one HEAD per small write is cheap
 * next to that. A large or unknown-length put over an existing key (a clip sent again) counts the object
 * twice until the next usage scan. A failed HEAD does not fail the put; the object then counts as new.</li>
 * <li>{@link #delete} heads the key first (one extra request per single delete) and subtracts what was there.</li>
 * <li>{@link #deleteListed} subtracts the listed infos exactly (no extra request); an info that went stale
 * between the caller's listing and the delete skews the meter until the next scan.</li>
 * <li>{@link #deleteMany} does not know what its keys weighed: they stay counted until the next scan. Callers
 * that listed first use {@code deleteListed}.</li>
 * <li>Writes that never pass through this store are not seen at all until the next scan: direct uploads to
 * S3 through a presigned URL, S3 lifecycle expirations, anything written by another replica.</li>
 * </ul>
 * Concurrent writes of one key can also skew it (both heads see nothing). All of this drift is what the
 * {@link UsageScanner} corrects.
 */
public final class MeteredObjectStore implements ObjectStore {
    /** Known-length puts up to this size head the key first, so that a rewrite is not counted twice. */
    static final long HEAD_BEFORE_SMALL_PUT = 1 << 20;

    private final ObjectStore delegate;
    private final UsageMeter usage;
    private final MeterRegistry registry;
    private final Counter bytesIn;
    private final Counter bytesOut;

    public MeteredObjectStore(ObjectStore delegate, MeterRegistry registry, UsageMeter usage) {
        this.delegate = delegate;
        this.usage = usage;
        this.registry = registry;
        this.bytesIn = Counter.builder(StorageMetrics.TRANSFER)
                .baseUnit("bytes")
                .tag("direction", "in")
                .description("Body bytes written to storage")
                .register(registry);
        this.bytesOut = Counter.builder(StorageMetrics.TRANSFER)
                .baseUnit("bytes")
                .tag("direction", "out")
                .description("Body bytes read from storage")
                .register(registry);
        for (Area area : Area.values()) { // present at 0 from the start, so that an alert sees the first increase
            integrityFailures(registry, area.segment());
        }
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        Multi<ByteBuffer> counted = body.onItem().invoke(b -> bytesIn.increment(b.remaining()));
        Uni<PutResult> put = metered("put", delegate.put(key, counted, length, contentType));
        if (length.isPresent() && length.getAsLong() <= HEAD_BEFORE_SMALL_PUT) {
            return headQuietly(key)
                    .chain(previous -> put.invoke(stored -> {
                        previous.ifPresent(p -> usage.removed(List.of(p)));
                        usage.added(stored.info());
                    }));
        }
        return put.invoke(stored -> usage.added(stored.info()));
    }

    /** As {@link #put}, metered as operation {@code put_if} (a refused condition counts as {@code client_error}). */
    @Override
    public Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType) {
        Multi<ByteBuffer> counted = body.onItem().invoke(b -> bytesIn.increment(b.remaining()));
        Uni<PutResult> put = metered("put_if", delegate.putIf(key, expectedEtag, counted, length, contentType));
        if (expectedEtag.isPresent() && length.isPresent() && length.getAsLong() <= HEAD_BEFORE_SMALL_PUT) {
            return headQuietly(key)
                    .chain(previous -> put.invoke(stored -> {
                        previous.ifPresent(p -> usage.removed(List.of(p)));
                        usage.added(stored.info());
                    }));
        }
        return put.invoke(stored -> usage.added(stored.info()));
    }

    /** Also counts a full read that failed its integrity check ({@link IntegrityException}) under the key's area. */
    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return metered("get", delegate.get(key, range))
                .onItem()
                .transform(c -> new ObjectContent(
                        c.info(),
                        c.range(),
                        c.body()
                                .onItem()
                                .invoke(b -> bytesOut.increment(b.remaining()))
                                .onFailure(IntegrityException.class)
                                .invoke(e -> integrityFailure(key))));
    }

    private void integrityFailure(ObjectKey key) {
        integrityFailure(registry, key);
    }

    /** Counts one object found damaged (by a read or a scrub), under its area ({@code other} outside the four areas). */
    public static void integrityFailure(MeterRegistry registry, ObjectKey key) {
        String segment = key.value().substring(0, Math.max(0, key.value().indexOf('/')));
        integrityFailures(registry, Area.ofSegment(segment).map(Area::segment).orElse("other"))
                .increment();
    }

    private static Counter integrityFailures(MeterRegistry registry, String area) {
        return Counter.builder(StorageMetrics.INTEGRITY_FAILURES)
                .tag("area", area)
                .description("Objects found damaged: full reads cut before their last byte, and scheduled scrubs")
                .register(registry);
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return metered("head", delegate.head(key));
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return headQuietly(key)
                .chain(previous -> metered("delete", delegate.delete(key))
                        .invoke(() -> previous.ifPresent(p -> usage.removed(List.of(p)))));
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        return metered("delete_many", delegate.deleteMany(keys));
    }

    @Override
    public Uni<Void> deleteListed(Collection<ObjectInfo> listed) {
        List<ObjectInfo> gone = List.copyOf(listed);
        return metered("delete_many", delegate.deleteListed(gone)).invoke(() -> usage.removed(gone));
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return Multi.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(registry);
            return delegate.list(prefix, startAfter)
                    .onCompletion()
                    .invoke(() -> record("list", sample, "success"))
                    .onFailure()
                    .invoke(e -> record("list", sample, outcome(e)))
                    .onCancellation()
                    .invoke(() -> record("list", sample, "success"));
        });
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return delegate.capability(type);
    }

    /** What is at the key now, for the usage meter; empty when nothing is or the head failed (then the scan corrects). */
    private Uni<Optional<ObjectInfo>> headQuietly(ObjectKey key) {
        return head(key).onFailure().recoverWithItem(Optional.empty());
    }

    private <T> Uni<T> metered(String operation, Uni<T> call) {
        return Uni.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(registry);
            return call.onItem()
                    .invoke(() -> record(operation, sample, "success"))
                    .onFailure()
                    .invoke(e -> record(operation, sample, outcome(e)))
                    .onCancellation()
                    .invoke(() -> record(operation, sample, "cancelled"));
        });
    }

    private void record(String operation, Timer.Sample sample, String outcome) {
        sample.stop(Timer.builder(StorageMetrics.REQUEST_DURATION)
                .tag("operation", operation)
                .description("Time until a storage call's result")
                .register(registry));
        Counter.builder(StorageMetrics.REQUESTS)
                .tag("operation", operation)
                .tag("outcome", outcome)
                .description("Storage calls by operation and outcome")
                .register(registry)
                .increment();
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
