package io.reelvault.support;

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
 * Passes every call of the {@link ObjectStore} port to {@code delegate}: a test overrides the calls it records or
 * breaks. Capabilities are not passed on (the port's default: this object's own).
 */
public class ForwardingObjectStore implements ObjectStore {
    protected final ObjectStore delegate;

    public ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
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
        return delegate.get(key, range);
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return delegate.head(key);
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
        return delegate.list(prefix, startAfter);
    }
}
