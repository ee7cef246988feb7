package io.reelvault.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads and writes the small {@code metadata.json} documents (at most {@value #MAX_BYTES} bytes each). */
final class MetadataStore {
    static final int MAX_BYTES = 1024 * 1024;

    private final ObjectStore store;
    private final ObjectMapper json;

    MetadataStore(ObjectStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    Uni<Void> write(ObjectKey key, Object document) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(document);
        } catch (IOException e) {
            return Uni.createFrom().failure(new IllegalStateException("cannot serialise metadata", e));
        }
        return store.put(key, Multi.createFrom().item(ByteBuffer.wrap(bytes)), OptionalLong.of(bytes.length),
                "application/json").replaceWithVoid();
    }

    <T> Uni<T> read(ObjectKey key, Class<T> type) {
        return store.get(key, Optional.empty()).onItem().transformToUni(content -> {
            if (content.length() > MAX_BYTES) {
                return content.body().toUni().replaceWith(Uni.createFrom().failure(
                        new IllegalStateException("metadata document too large: " + key)));
            }
            byte[] bytes = new byte[(int) content.length()];
            int[] at = {0};
            return content.body()
                    .onItem().invoke(b -> {
                        int n = b.remaining();
                        b.duplicate().get(bytes, at[0], n);
                        at[0] += n;
                    })
                    .collect().last()
                    .map(ignored -> {
                        try {
                            return json.readValue(bytes, 0, at[0], type);
                        } catch (IOException e) {
                            throw new ReelvaultException(ErrorCode.INTERNAL_ERROR, "stored metadata is unreadable", e);
                        }
                    });
        });
    }
}
