package io.reelvault.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.FileType;
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

    /**
     * Prepares a direct upload: checks name, type and size first, records what was promised in
     * {@code pending.json}, and returns a 15-minute PUT URL bound to the type and exact size.
     */
    public Uni<PresignedUpload> presign(UserId user, String filename, String contentType, long sizeBytes) {
        if (sizeBytes < 1) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "size_bytes must be at least 1");
        }
        UploadFilename name = precheck(filename, contentType, OptionalLong.of(sizeBytes));
        UploadId id = UploadId.generate(clock);
        ObjectKey original = StorageLayout.uploadOriginal(user, id, name.type());
        String type = name.type().mediaType();
        SignedUrlView url = urls.sign(UrlPurpose.USER_UPLOAD, original,
                Map.of("Content-Type", type, "Content-Length", Long.toString(sizeBytes)));
        var now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        PendingUpload pending = new PendingUpload(id.value(), user.value(), original.value(), name.value(), type, sizeBytes,
                now, now.plusSeconds(url.expiresIn()));
        return metadata.write(StorageLayout.uploadPending(user, id), pending)
                .replaceWith(new PresignedUpload(id.value(), url.url(), url.method(), url.headers(), url.expiresIn()));
    }

    /**
     * Finishes a direct upload: the object must exist with the promised size and its first bytes must
     * be the promised type (else it is deleted: 400 {@code length_mismatch} or 415); its SHA-256 is
     * computed by reading it back, then {@code metadata.json} is written. Completing twice answers the
     * same metadata.
     */
    public Uni<UploadMetadata> complete(UserId user, UploadId id) {
        ObjectKey pendingKey = StorageLayout.uploadPending(user, id);
        return metadata.read(StorageLayout.uploadMetadata(user, id), UploadMetadata.class)
                .onFailure(Failures::isNotFound).recoverWithUni(() -> metadata.read(pendingKey, PendingUpload.class)
                        .onFailure(Failures::isNotFound).transform(e -> ReelvaultException.notFound("upload"))
                        .chain(pending -> verifyDirectUpload(user, id, pending)));
    }

    private Uni<UploadMetadata> verifyDirectUpload(UserId user, UploadId id, PendingUpload pending) {
        ObjectKey original = ObjectKey.parse(pending.key());
        FileType type = FileType.ofKey(original).orElseThrow();
        return store.head(original).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(new ReelvaultException(ErrorCode.NOT_FOUND,
                        "nothing was uploaded yet: PUT the file to the upload URL first"));
            }
            if (found.get().size() != pending.sizeBytes()) {
                return reject(original, new ReelvaultException(ErrorCode.LENGTH_MISMATCH, "the uploaded object has "
                        + found.get().size() + " bytes, not the " + pending.sizeBytes() + " promised"));
            }
            BodyInspector inspector = new BodyInspector(maxBytes, type, OptionalLong.of(pending.sizeBytes()));
            return store.get(original, Optional.empty())
                    .chain(content -> Digests.sha256(inspector.inspect(content.body())))
                    .onFailure(e -> e instanceof ReelvaultException r && r.code() == ErrorCode.UNSUPPORTED_MEDIA_TYPE)
                    .call(() -> store.delete(original))
                    .chain(sha -> {
                        UploadMetadata meta = new UploadMetadata(id.value(), user.value(), original.value(), pending.filename(),
                                pending.contentType(), found.get().size(), sha, clock.instant().truncatedTo(ChronoUnit.MILLIS));
                        return metadata.write(StorageLayout.uploadMetadata(user, id), meta)
                                .chain(() -> store.delete(StorageLayout.uploadPending(user, id)))
                                .replaceWith(meta);
                    });
        });
    }

    private Uni<UploadMetadata> reject(ObjectKey original, ReelvaultException why) {
        return store.delete(original).chain(() -> Uni.createFrom().failure(why));
    }

    /** One page of the user's uploads in id order (ids start with their date, so oldest first). */
    public Uni<UploadPage> list(UserId user, Optional<UploadId> after, int limit) {
        Optional<ObjectKey> startAfter = after.map(a -> StorageLayout.uploadMetadata(user, a));
        return store.list(StorageLayout.uploadsOf(user), startAfter)
                .select().where(o -> o.key().fileName().equals("metadata.json"))
                .select().first(limit + 1)
                .onItem().transformToMultiAndConcatenate(o -> metadata.read(o.key(), UploadMetadata.class).toMulti()
                        .onFailure(Failures::isNotFound).recoverWithCompletion()) // deleted meanwhile
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
        return store.head(meta).chain(found -> found.isPresent() ? Uni.createFrom().item(found)
                : store.head(StorageLayout.uploadPending(user, id))).onItem().transformToUni(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(ReelvaultException.notFound("upload"));
            }
            return store.delete(meta)
                    .chain(() -> store.list(StorageLayout.upload(user, id), Optional.empty()).collect().asList())
                    .chain(store::deleteListed);
        });
    }

    private static Throwable notFoundAsUpload(Throwable e) {
        return Failures.isNotFound(e) ? ReelvaultException.notFound("upload") : e;
    }
}
