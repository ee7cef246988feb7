package io.reelvault.service;

import io.reelvault.common.Sha256;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;

/** SHA-256 of streams and stored objects, in one pass and constant memory. */
public final class Digests {
    private Digests() {}

    /** Reads the stream to its end and returns its lower-case hex SHA-256. */
    public static Uni<String> sha256(Multi<ByteBuffer> body) {
        MessageDigest sha = Sha256.newDigest();
        return body.onItem()
                .invoke(b -> sha.update(b.duplicate()))
                .collect()
                .last()
                .map(ignored -> Sha256.hex(sha));
    }

    /** Reads a stored object back and returns its SHA-256. */
    public static Uni<String> sha256(ObjectStore store, ObjectKey key) {
        return store.get(key, Optional.empty()).chain(content -> sha256(content.body()));
    }
}
