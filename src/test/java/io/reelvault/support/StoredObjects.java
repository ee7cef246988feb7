package io.reelvault.support;

import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectContent;
import io.reelvault.storage.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Optional;

/** What a test reads straight from the store, past the API. */
public final class StoredObjects {
    private StoredObjects() {}

    /** The whole object at {@code key}. */
    public static byte[] bytes(ObjectStore store, String key) {
        ObjectContent c =
                store.get(ObjectKey.parse(key), Optional.empty()).await().atMost(Duration.ofSeconds(30));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.body().subscribe().asIterable().forEach(b -> {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            out.writeBytes(a);
        });
        return out.toByteArray();
    }

    /** Whether any object's key starts with {@code prefix}. */
    public static boolean anyUnder(ObjectStore store, String prefix) {
        return !store.list(new KeyPrefix(prefix), Optional.empty())
                .collect()
                .asList()
                .await()
                .atMost(Duration.ofSeconds(10))
                .isEmpty();
    }
}
