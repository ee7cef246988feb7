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
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A store with a bug: every call fails with an unexpected exception whose message, class and stack name internals (a
 * path, a host). Reads fail through their {@code Uni}/{@code Multi}, listings throw at once, as a programming error
 * would. Enabled by a test profile's alternatives only ({@code InternalErrorApiTest}); the store the sweeper and scans
 * use ({@code @IncludingExpired}) stays the real one.
 */
@Alternative
@Singleton
public class FailingObjectStore implements ObjectStore {
    /** What the failures say: none of it may reach a client. */
    public static final String SECRET = "disk controller /srv/reelvault-secret/volume-7 on db-internal.example";

    static IllegalStateException bug() {
        return new IllegalStateException(SECRET);
    }

    @Override
    public Uni<PutResult> put(ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        return Uni.createFrom().failure(bug());
    }

    @Override
    public Uni<PutResult> putIf(
            ObjectKey key,
            Optional<String> expectedEtag,
            Multi<ByteBuffer> body,
            OptionalLong length,
            String contentType) {
        return Uni.createFrom().failure(bug());
    }

    @Override
    public Uni<ObjectContent> get(ObjectKey key, Optional<ByteRange> range) {
        return Uni.createFrom().failure(bug());
    }

    @Override
    public Uni<Optional<ObjectInfo>> head(ObjectKey key) {
        return Uni.createFrom().failure(bug());
    }

    @Override
    public Uni<Void> delete(ObjectKey key) {
        return Uni.createFrom().failure(bug());
    }

    @Override
    public Uni<Void> deleteMany(Collection<ObjectKey> keys) {
        return Uni.createFrom().failure(bug());
    }

    @Override
    public Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        throw bug();
    }
}
