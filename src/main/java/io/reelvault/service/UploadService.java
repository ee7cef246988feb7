package io.reelvault.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.model.UploadFilename;
import io.reelvault.model.UploadId;
import io.reelvault.model.UrlPurpose;
import io.reelvault.model.UserId;
import io.reelvault.storage.ObjectStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * User uploads: stream in with type, size and checksum checks, then {@code metadata.json}; list, get,
 * sign, delete. Every method takes the caller's {@link UserId} and only ever touches keys under
 * {@code uploads/{that user}/}, so another user's upload is simply not found.
 */
@ApplicationScoped
public class UploadService {
    private static final String METADATA_TYPE = "application/json";

    private final ObjectStore store;
    private final MetadataStore metadata;
    private final SignedUrlService urls;
    private final Clock clock;
    private final long maxBytes;

    public UploadService(ObjectStore store, ObjectMapper json, SignedUrlService urls, Clock clock, ReelvaultConfig config) {
        this.store = store;
        this.metadata = new MetadataStore(store, json);
        this.urls = urls;
        this.clock = clock;
        this.maxBytes = config.uploads().maxSize().asLongValue();
    }

    /** The configured upload limit in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Checks what can be checked before reading a byte: file name, extension, declared type, declared
     * length. Resources call it before accepting the body (and before answering 100-continue).
     */
    public UploadFilename precheck(String filename, String declaredType, OptionalLong length) {
        UploadFilename name = UploadFilename.parse(filename);
        if (!name.type().acceptsMediaType(declaredType)) {
            throw new ReelvaultException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the declared Content-Type "
                    + (declaredType == null ? "(none)" : "does not match") + " the ." + name.type().extension()
                    + " file name; expected " + name.type().mediaType());
        }
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            throw BodyInspector.tooLarge(maxBytes);
        }
        return name;
    }

    /**
     * Streams an upload in. The original is written atomically and only then is {@code metadata.json}
     * written; if anything fails, neither remains.
     *
     * @param length the body length when the client declared it
     */
    public Uni<UploadMetadata> upload(UserId user, UploadFilename name, OptionalLong length, Multi<ByteBuffer> body) {
        UploadId id = UploadId.generate(clock);
        ObjectKey original = StorageLayout.uploadOriginal(user, id, name.type());
        BodyInspector inspector = new BodyInspector(maxBytes, name.type(), length);
        return store.put(original, inspector.inspect(body), length, name.type().mediaType())
                .onItem().transformToUni(stored -> {
                    UploadMetadata meta = new UploadMetadata(id.value(), user.value(), original.value(), name.value(),
                            name.type().mediaType(), stored.info().size(), stored.sha256(),
                            clock.instant().truncatedTo(ChronoUnit.MILLIS));
                    return metadata.write(StorageLayout.uploadMetadata(user, id), meta)
                            .onFailure().call(() -> store.delete(original))
                            .replaceWith(meta);
                });
    }

    /** One page of the user's uploads in id order (ids start with their date, so oldest first). */
    public Uni<UploadPage> list(UserId user, Optional<UploadId> after, int limit) {
        Optional<ObjectKey> startAfter = after.map(a -> StorageLayout.uploadMetadata(user, a));
        return store.list(StorageLayout.uploadsOf(user), startAfter)
                .select().where(o -> o.key().fileName().equals("metadata.json"))
                .select().first(limit + 1)
                .onItem().transformToMultiAndConcatenate(o -> metadata.read(o.key(), UploadMetadata.class).toMulti()
                        .onFailure(UploadService::isNotFound).recoverWithCompletion()) // deleted meanwhile
                .collect().asList()
                .map(items -> items.size() > limit
                        ? new UploadPage(List.copyOf(items.subList(0, limit)), items.get(limit - 1).uploadId())
                        : new UploadPage(items, null));
    }

    /** The upload's metadata; {@code not_found} when it does not exist for this user. */
    public Uni<UploadMetadata> get(UserId user, UploadId id) {
        return metadata.read(StorageLayout.uploadMetadata(user, id), UploadMetadata.class)
                .onFailure(ReelvaultException.class).transform(UploadService::notFoundAsUpload);
    }

    /** A 1-hour GET URL of the original. */
    public Uni<SignedUrlView> url(UserId user, UploadId id) {
        return get(user, id).map(meta -> urls.sign(UrlPurpose.PREVIEW, ObjectKey.parse(meta.key()), Map.of()));
    }

    /**
     * Deletes the upload: its metadata first (it disappears from listings at once), then the rest.
     * {@code not_found} when it does not exist for this user.
     */
    public Uni<Void> delete(UserId user, UploadId id) {
        ObjectKey meta = StorageLayout.uploadMetadata(user, id);
        return store.head(meta).onItem().transformToUni(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(ReelvaultException.notFound("upload"));
            }
            return store.delete(meta)
                    .chain(() -> store.list(StorageLayout.upload(user, id), Optional.empty())
                            .map(o -> o.key()).collect().asList())
                    .chain(store::deleteMany);
        });
    }

    private static Throwable notFoundAsUpload(Throwable e) {
        return isNotFound(e) ? ReelvaultException.notFound("upload") : e;
    }

    private static boolean isNotFound(Throwable e) {
        return e instanceof ReelvaultException r && r.code() == ErrorCode.NOT_FOUND;
    }
}
