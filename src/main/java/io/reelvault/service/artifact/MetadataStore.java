package io.reelvault.service.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.cluster.DocumentLeases;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.service.Failures;
import io.reelvault.storage.LocalHeads;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PreconditionFailedException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Reads and writes the small {@code metadata.json} documents (at most {@value #MAX_BYTES} bytes each).
 *
 * <p>{@link #update} is the one way to change a stored document: a compare-and-swap that is safe across replicas
 * (read it with its ETag, apply the change, write it back only while it is still that version, see
 * {@link ObjectStore#putIf}; a lost race reads again and re-applies the change, at most {@value #MAX_ATTEMPTS}
 * times). Where the backend's conditional writes cannot be trusted to be atomic, the {@link DocumentLeases} of this
 * store serialise the replicas' updates of one document as well.
 */
public final class MetadataStore {
    private static final Logger LOG = Logger.getLogger(MetadataStore.class);
    static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_ATTEMPTS = 12;
    static final int CACHED_DOCUMENTS = 1024;
    static final int CACHED_MAX_BYTES = 8 * 1024;

    private final ObjectStore store;
    private final ObjectMapper json;
    private final DocumentLeases leases;
    private final boolean localHeads;
    private final ConcurrentHashMap<ObjectKey, Cached> cached = new ConcurrentHashMap<>();

    /** Without leases: for documents that are written once and never updated. */
    public MetadataStore(ObjectStore store, ObjectMapper json) {
        this(store, json, DocumentLeases.NONE);
    }

    public MetadataStore(ObjectStore store, ObjectMapper json, DocumentLeases leases) {
        this.store = store;
        this.json = json;
        this.leases = leases;
        this.localHeads = store.capability(LocalHeads.class).isPresent();
    }

    /** Writes a new document (its id was just made: nothing can be there yet). */
    public Uni<Void> write(ObjectKey key, Object document) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(document);
        } catch (IOException e) {
            return Uni.createFrom().failure(new IllegalStateException("cannot serialise metadata", e));
        }
        return store.put(
                        key,
                        Multi.createFrom().item(ByteBuffer.wrap(bytes)),
                        OptionalLong.of(bytes.length),
                        "application/json")
                .replaceWithVoid();
    }

    /**
     * Read-modify-write of the document at {@code key}, with no lost update across replicas. {@code change} gets the
     * stored document and answers the next one, or the same instance to leave it as it is (nothing is written); it may
     * run more than once (once per attempt) and must not have effects that cannot be repeated. Failures of the read
     * ({@code not_found} naming {@code what} when there is no document) and of {@code change} end the update.
     *
     * @return the document as stored at the end (the written one, or the unchanged one)
     * @throws ReelvaultException {@code storage_unavailable} when {@value #MAX_ATTEMPTS} attempts all lost their race
     */
    public <T> Uni<T> update(ObjectKey key, Class<T> type, String what, Function<T, Uni<T>> change) {
        return leases.around(key, () -> attempt(key, type, what, change, 1));
    }

    private <T> Uni<T> attempt(ObjectKey key, Class<T> type, String what, Function<T, Uni<T>> change, int attempt) {
        return readVersioned(key, type)
                .onFailure(Failures::isNotFound)
                .transform(e -> ReelvaultException.notFound(what))
                .chain(read -> change.apply(read.document()).chain(next -> {
                    if (next == read.document()) {
                        return Uni.createFrom().item(next);
                    }
                    byte[] bytes;
                    try {
                        bytes = json.writeValueAsBytes(next);
                    } catch (IOException e) {
                        return Uni.createFrom().failure(new IllegalStateException("cannot serialise metadata", e));
                    }
                    return store.putIf(
                                    key,
                                    Optional.of(read.etag()),
                                    Multi.createFrom().item(ByteBuffer.wrap(bytes)),
                                    OptionalLong.of(bytes.length),
                                    "application/json")
                            .replaceWith(next);
                }))
                .onFailure(PreconditionFailedException.class)
                .recoverWithUni(lost -> {
                    if (attempt >= MAX_ATTEMPTS) {
                        LOG.warnf("%s kept changing: %d updates in a row lost their race", key, attempt);
                        return Uni.createFrom()
                                .failure(new ReelvaultException(
                                        ErrorCode.STORAGE_UNAVAILABLE,
                                        "the document kept changing while it was being updated; retry",
                                        lost,
                                        Map.of("Retry-After", "1")));
                    }
                    // back off a random while, growing: concurrent writers then take turns instead of colliding again
                    long millis = ThreadLocalRandom.current().nextLong(1, 5L << Math.min(attempt, 5));
                    return Uni.createFrom()
                            .voidItem()
                            .onItem()
                            .delayIt()
                            .by(Duration.ofMillis(millis))
                            .chain(() -> attempt(key, type, what, change, attempt + 1));
                });
    }

    /** A document with the ETag of the stored version it was read from. */
    record Versioned<T>(T document, String etag) {}

    /**
     * The document, parsed. Where the store's heads are local ({@link LocalHeads}), the bytes of documents read lately
     * are kept with the ETag they were read at ({@value #CACHED_DOCUMENTS} documents of at most
     * {@value #CACHED_MAX_BYTES} bytes): a read heads the object (one stat) and parses the kept bytes while it is still
     * that version, with no open, no checksum read and no copy; a document of a {@linkplain #SHAREABLE shareable} type
     * is not even parsed again. Any other version (an update, a replacement, another
     * replica's write) or none (deleted, expired) is seen by that head, so nothing stale is returned.
     */
    public <T> Uni<T> read(ObjectKey key, Class<T> type) {
        if (!localHeads) {
            return readVersioned(key, type).map(Versioned::document);
        }
        return store.head(key).chain(info -> {
            Cached kept = cached.get(key);
            // none there: read as without the cache, which fails as the store fails a read of nothing (and counts it)
            if (kept != null && info.isPresent() && kept.etag.equals(info.get().etag())) {
                return Uni.createFrom().item(kept.document(type, this));
            }
            return readBytes(key).map(read -> {
                T document = parse(read.bytes, read.at, type);
                remember(key, read, document);
                return document;
            });
        });
    }

    /**
     * The kept bytes of one version, and the document last parsed from them when its type is {@linkplain #SHAREABLE
     * shareable}: a record of immutable values ({@code UploadMetadata}), which every reader may be handed as it is.
     */
    private static final class Cached {
        final String etag;
        final byte[] bytes;
        private volatile Object document;

        Cached(String etag, byte[] bytes) {
            this.etag = etag;
            this.bytes = bytes;
        }

        <T> T document(Class<T> type, MetadataStore store) {
            Object parsed = document;
            if (type.isInstance(parsed)) {
                return type.cast(parsed);
            }
            T fresh = store.parse(bytes, bytes.length, type);
            keep(fresh);
            return fresh;
        }

        void keep(Object parsed) {
            if (SHAREABLE.get(parsed.getClass())) {
                document = parsed;
            }
        }
    }

    /**
     * Whether a document of this type can be handed to several readers: a record whose components are all immutable
     * values (primitives, their boxes, strings, instants, enums). A record holding a list or a map is parsed for each
     * reader, since one of them could change what the others see.
     */
    static final ClassValue<Boolean> SHAREABLE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (!type.isRecord()) {
                return false;
            }
            for (RecordComponent component : type.getRecordComponents()) {
                Class<?> t = component.getType();
                boolean value = t.isPrimitive()
                        || t.isEnum()
                        || t == String.class
                        || t == Instant.class
                        || t == Boolean.class
                        || t == Long.class
                        || t == Integer.class
                        || t == Double.class;
                if (!value) {
                    return false;
                }
            }
            return true;
        }
    };

    private void remember(ObjectKey key, Collected read, Object document) {
        if (read.at > CACHED_MAX_BYTES || read.etag == null) {
            return;
        }
        if (cached.size() >= CACHED_DOCUMENTS) { // bounded: an arbitrary one makes room
            Iterator<ObjectKey> any = cached.keySet().iterator();
            if (any.hasNext()) {
                cached.remove(any.next());
            }
        }
        Cached kept = new Cached(read.etag, Arrays.copyOf(read.bytes, read.at));
        kept.keep(document);
        cached.put(key, kept);
    }

    <T> Uni<Versioned<T>> readVersioned(ObjectKey key, Class<T> type) {
        return readBytes(key).map(read -> new Versioned<>(parse(read.bytes, read.at, type), read.etag));
    }

    /** The stored bytes of the document, with the ETag of the version they are. */
    private Uni<Collected> readBytes(ObjectKey key) {
        return store.get(key, Optional.empty()).onItem().transformToUni(content -> {
            if (content.length() > MAX_BYTES) {
                return content.body()
                        .toUni()
                        .replaceWith(Uni.createFrom()
                                .failure(new IllegalStateException("metadata document too large: " + key)));
            }
            // copied as each chunk arrives (a store may reuse its buffers)
            int length = (int) content.length();
            String etag = content.info().etag();
            return content.body().collect().in(() -> new Collected(length, etag), Collected::add);
        });
    }

    private <T> T parse(byte[] bytes, int length, Class<T> type) {
        try {
            return json.readValue(bytes, 0, length, type);
        } catch (IOException e) {
            throw new ReelvaultException(ErrorCode.INTERNAL_ERROR, "stored metadata is unreadable", e);
        }
    }

    /** The bytes of a document being read, of its announced length. */
    private static final class Collected {
        final byte[] bytes;
        final String etag;
        int at;

        Collected(int length, String etag) {
            this.bytes = new byte[length];
            this.etag = etag;
        }

        void add(ByteBuffer chunk) {
            int n = chunk.remaining();
            chunk.duplicate().get(bytes, at, n);
            at += n;
        }
    }
}
