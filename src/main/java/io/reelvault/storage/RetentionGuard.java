package io.reelvault.storage;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ByteRange;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Flow;

/**
 * Never serves an object past its retention ({@link io.reelvault.model.Area#isExpired}), on every
 * backend, whether or not the local sweeper or S3's lifecycle rules have deleted it yet. An object's
 * creation time is its {@link ObjectInfo#lastModified()} (rewriting an object starts its retention
 * again, as on S3); "now" is the injected {@link Clock}. Objects under {@code uploads/} never expire.
 *
 * <ul>
 * <li>{@link #get} of an expired object fails with {@link ErrorCode#EXPIRED} (404, code {@code expired}),
 * after releasing the backend's stream (file handle or connection). A range that selects no byte of an
 * expired object also answers {@code expired}, not 416 (which would reveal its size).</li>
 * <li>{@link #head} of an expired object fails with {@code expired} too, rather than answering empty, so
 * that callers can tell "gone by retention" from "never existed"; callers map it to 404 {@code expired}.</li>
 * <li>{@link #list} skips expired objects.</li>
 * <li>{@link #put}, {@link #putIf}, {@link #delete}, {@link #deleteMany} and {@link #capability} pass through: deleting an
 * expired object is allowed (and idempotent), and writing a key creates a fresh object.</li>
 * </ul>
 *
 * The producer builds it around the metered store; code that must see expired objects injects that
 * store with {@link IncludingExpired} instead.
 */
public final class RetentionGuard implements ObjectStore {
    private final ObjectStore delegate;
    private final Clock clock;

    public RetentionGuard(ObjectStore delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        return delegate.put(key, body, length, contentType);
    }

    @Override
    public Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType) {
        return delegate.putIf(key, expectedEtag, body, length, contentType);
    }

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return delegate.get(key, range)
                .onItem()
                .transform(content -> {
                    Optional<Instant> expired = expiry(content.info());
                    if (expired.isPresent()) {
                        release(content);
                        throw expired(expired.get());
                    }
                    return content;
                })
                .onFailure(RetentionGuard::unsatisfiable)
                .recoverWithUni(e -> delegate.head(key).map(info -> {
                    Optional<Instant> expired = info.flatMap(this::expiry);
                    if (expired.isPresent()) {
                        throw expired(expired.get());
                    }
                    throw (RuntimeException) e;
                }));
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return delegate.head(key).map(info -> {
            Optional<Instant> expired = info.flatMap(this::expiry);
            if (expired.isPresent()) {
                throw expired(expired.get());
            }
            return info;
        });
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return delegate.delete(key);
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        return delegate.deleteMany(keys);
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        return delegate.list(prefix, startAfter)
                .select()
                .where(info -> expiry(info).isEmpty());
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        return delegate.capability(type);
    }

    /** When the object expired, if it is expired now. */
    private Optional<Instant> expiry(ObjectInfo info) {
        Instant now = clock.instant();
        return info.key().area().expiresAt(info.lastModified()).filter(at -> !now.isBefore(at));
    }

    private static ReelvaultException expired(Instant at) {
        return new ReelvaultException(
                ErrorCode.EXPIRED, "the object passed its retention on " + at + " and is no longer served");
    }

    private static boolean unsatisfiable(Throwable e) {
        return e instanceof ReelvaultException r && r.code() == ErrorCode.RANGE_NOT_SATISFIABLE;
    }

    /**
     * Subscribes and cancels at once: the backend closes the file or connection it opened for the body (and so the
     * content's {@link FileBody}, which shares it). A content that is served passes on as it came, file body included.
     */
    private static void release(ObjectContent content) {
        content.body().subscribe().with(Flow.Subscription::cancel, b -> {}, e -> {}, () -> {});
    }
}
