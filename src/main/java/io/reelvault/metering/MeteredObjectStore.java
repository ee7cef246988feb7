package io.reelvault.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.FileBody;
import io.reelvault.storage.IntegrityException;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Meters every call of the store it wraps, in one place: a request counter by operation and
 * outcome, a duration timer by operation, and the bytes that flow in and out. Outcomes:
 * {@code success}, {@code not_found}, {@code client_error} (bad length, bad range, bad body),
 * {@code error} (backend failure), {@code cancelled}. A pure decorator: every call goes to the wrapped store
 * as it came, and nothing else does.
 *
 * <p>It also keeps the {@link UsageMeter}'s increments current from what the calls themselves return, without a
 * request of its own. It remembers the infos of the last {@value #REMEMBERED} objects it wrote ({@link #put}) and,
 * apart, of the last {@value #REMEMBERED} it found ({@link #list}, {@link #head}), least recently seen forgotten
 * first (apart, so that a usage scan or a sweep listing whole areas does not push out what was just written):
 * <ul>
 * <li>A successful {@link #put} adds one object of its stored size, and subtracts the remembered object it
 * replaced: the service's rewrites of its JSON documents ({@code metadata.json} after every clip,
 * {@code timeline.json}) and a clip sent again count once. A {@link #putIf} subtracts the remembered object only
 * when it is the expected one (same ETag); a create-only {@code putIf} replaces nothing.</li>
 * <li>A successful {@link #delete} or {@link #deleteMany} subtracts the remembered objects among its keys. The
 * service lists before it deletes (a folder, an expired batch, an unreachable upload), so their sizes are known.</li>
 * <li>A write over, or a delete of, an object it does not remember is not subtracted: a rewrite counts twice, a
 * delete stays counted, until the next usage scan.</li>
 * <li>Writes that never pass through this store are not seen at all until the next scan: direct uploads to
 * S3 through a presigned URL, S3 lifecycle expirations, anything written or deleted by another replica.</li>
 * </ul>
 * A remembered info can be out of date (the object was replaced or deleted elsewhere since), and concurrent writes
 * of one key can skew the meter too. All of this drift is what the {@link UsageScanner} corrects.
 */
public final class MeteredObjectStore implements ObjectStore {
    /** How many written, and how many found, objects' infos are remembered for the usage meter (a few MB at most). */
    static final int REMEMBERED = 10_000;

    private final ObjectStore delegate;
    private final UsageMeter usage;
    private final MeterRegistry registry;
    private final Counter bytesIn;
    private final Counter bytesOut;
    /**
     * The timers and counters of {@link #record}, by operation (and outcome): looked up once, not built per call. Both
     * keys come from closed sets (this class's operation names, {@link #outcome}).
     */
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();

    private final Map<String, Map<String, Counter>> calls = new ConcurrentHashMap<>();
    private final Map<ObjectKey, ObjectInfo> written = remembered(); // guarded by itself
    private final Map<ObjectKey, ObjectInfo> found = remembered(); // guarded by written

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
        StorageMetrics.registerIntegrityFailures(registry);
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        if (body instanceof AdoptableBody whole) { // passed on as it is, so the store can take the file: counted whole
            return metered("put", delegate.put(key, whole, length, contentType)).invoke(stored -> {
                bytesIn.increment(whole.length());
                written(stored.info(), previous -> true);
            });
        }
        Multi<ByteBuffer> counted = body.onItem().invoke(b -> bytesIn.increment(b.remaining()));
        return metered("put", delegate.put(key, counted, length, contentType))
                .invoke(stored -> written(stored.info(), previous -> true));
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
        return metered("put_if", delegate.putIf(key, expectedEtag, counted, length, contentType))
                .invoke(stored -> written(
                        stored.info(),
                        previous ->
                                expectedEtag.isPresent() && expectedEtag.get().equals(previous.etag())));
    }

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
                                .invoke(e -> StorageMetrics.integrityFailure(registry, key)),
                        // a file body sent without copying: counted as it is reported sent, its tail's failure alike
                        c.file()
                                .map(f -> FileBody.observed(f, bytesOut::increment, e -> {
                                    if (e instanceof IntegrityException) {
                                        StorageMetrics.integrityFailure(registry, key);
                                    }
                                }))));
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return metered("head", delegate.head(key)).invoke(found -> found.ifPresent(this::remember));
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return metered("delete", delegate.delete(key)).invoke(() -> deleted(List.of(key)));
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        List<ObjectKey> gone = List.copyOf(keys);
        return metered("delete_many", delegate.deleteMany(gone)).invoke(() -> deleted(gone));
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return Multi.createFrom().deferred(() -> {
            Timer.Sample sample = Timer.start(registry);
            return delegate.list(prefix, startAfter)
                    .onItem()
                    .invoke(this::remember)
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

    /** A successful write: adds it, and subtracts the remembered object at its key when {@code replaced} says so. */
    private void written(ObjectInfo stored, Predicate<ObjectInfo> replaced) {
        ObjectInfo previous;
        synchronized (written) {
            previous = forget(stored.key());
            written.put(stored.key(), stored);
        }
        if (previous != null && replaced.test(previous)) {
            usage.removed(List.of(previous));
        }
        usage.added(stored);
    }

    /** A successful delete: subtracts the remembered objects among the keys. */
    private void deleted(List<ObjectKey> keys) {
        List<ObjectInfo> gone = new ArrayList<>();
        synchronized (written) {
            for (ObjectKey key : keys) {
                ObjectInfo info = forget(key);
                if (info != null) {
                    gone.add(info);
                }
            }
        }
        usage.removed(gone);
    }

    private void remember(ObjectInfo info) {
        synchronized (written) {
            found.put(info.key(), info);
        }
    }

    /** The remembered object at the key (the newer when both maps have one), forgotten; null when none. Holding the lock. */
    private ObjectInfo forget(ObjectKey key) {
        ObjectInfo wrote = written.remove(key);
        ObjectInfo saw = found.remove(key);
        if (wrote == null || saw == null) {
            return wrote != null ? wrote : saw;
        }
        return saw.lastModified().isAfter(wrote.lastModified()) ? saw : wrote;
    }

    private static Map<ObjectKey, ObjectInfo> remembered() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ObjectKey, ObjectInfo> eldest) {
                return size() > REMEMBERED;
            }
        };
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
        sample.stop(durations.computeIfAbsent(
                operation,
                op -> Timer.builder(StorageMetrics.REQUEST_DURATION)
                        .tag("operation", op)
                        .description("Time until a storage call's result")
                        .register(registry)));
        calls.computeIfAbsent(operation, op -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        result -> Counter.builder(StorageMetrics.REQUESTS)
                                .tag("operation", operation)
                                .tag("outcome", result)
                                .description("Storage calls by operation and outcome")
                                .register(registry))
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
