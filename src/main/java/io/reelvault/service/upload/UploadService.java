package io.reelvault.service.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.Area;
import io.reelvault.model.FileType;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.model.UploadFilename;
import io.reelvault.model.UploadId;
import io.reelvault.model.UrlPurpose;
import io.reelvault.model.UserId;
import io.reelvault.service.BodyInspector;
import io.reelvault.service.Digests;
import io.reelvault.service.Failures;
import io.reelvault.service.SignedUrlService;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.artifact.MetadataStore;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.reelvault.storage.SignedUrlVerifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.logging.Logger;

/**
 * User uploads: stream in with type, size and checksum checks, then {@code metadata.json}; list, get,
 * sign, delete. Every method takes the caller's {@link UserId} and only ever touches keys under
 * {@code uploads/{that user}/}, so another user's upload is simply not found.
 */
@ApplicationScoped
public class UploadService {
    private static final Logger LOG = Logger.getLogger(UploadService.class);
    private static final String METADATA_TYPE = "application/json";

    private final ObjectStore store;
    private final MetadataStore metadata;
    private final SignedUrlService urls;
    private final Clock clock;
    private final long maxBytes;
    /** Presigned PUTs go to the storage itself (S3), which cannot check that their upload still waits. */
    private final boolean putsBypassService;

    public UploadService(
            ObjectStore store, ObjectMapper json, SignedUrlService urls, Clock clock, ReelvaultConfig config) {
        this.store = store;
        this.metadata = new MetadataStore(store, json);
        this.urls = urls;
        this.clock = clock;
        this.maxBytes = config.uploads().maxSize().asLongValue();
        this.putsBypassService = store.capability(SignedUrlVerifier.class).isEmpty();
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
            throw new ReelvaultException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "the declared Content-Type "
                            + (declaredType == null ? "(none)" : "does not match") + " the ."
                            + name.type().extension()
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
                .onItem()
                .transformToUni(stored -> {
                    UploadMetadata meta = new UploadMetadata(
                            id.value(),
                            user.value(),
                            original.value(),
                            name.value(),
                            name.type().mediaType(),
                            stored.info().size(),
                            stored.sha256(),
                            clock.instant().truncatedTo(ChronoUnit.MILLIS),
                            null,
                            null);
                    return metadata.write(StorageLayout.uploadMetadata(user, id), meta)
                            .onFailure()
                            .call(() -> store.delete(original))
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
        SignedUrlView url = urls.sign(
                UrlPurpose.USER_UPLOAD,
                original,
                Map.of("Content-Type", type, "Content-Length", Long.toString(sizeBytes)));
        var now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        PendingUpload pending = new PendingUpload(
                id.value(),
                user.value(),
                original.value(),
                name.value(),
                type,
                sizeBytes,
                now,
                now.plusSeconds(url.expiresIn()));
        return metadata.write(StorageLayout.uploadPending(user, id), pending)
                .replaceWith(new PresignedUpload(id.value(), url.url(), url.method(), url.headers(), url.expiresIn()));
    }

    /**
     * The body of a signed PUT to the service's own {@code /storage/} route (the local backend's presigned
     * upload): stored only while its upload waits for it (a {@code pending.json} naming exactly this key) and
     * only once (create-only, so a URL used already cannot replace what {@code complete} checked). Fails with
     * {@code not_found} when no upload waits for the key (never presigned, completed and deleted, refused at
     * completion, or swept) and with {@code conflict} when the object is there already; nothing is stored then.
     * The check and the write are two steps: an upload deleted between them leaves an object without
     * metadata, which the {@link UploadSweeper} removes.
     */
    public Uni<PutResult> receiveSigned(
            ObjectKey key, Multi<ByteBuffer> body, OptionalLong length, String contentType) {
        Optional<ObjectKey> pendingKey = pendingOf(key);
        if (pendingKey.isEmpty()) {
            return Uni.createFrom().failure(nothingWaits());
        }
        return metadata.read(pendingKey.get(), PendingUpload.class)
                .onFailure(Failures::isNotFound)
                .transform(e -> nothingWaits())
                .chain(pending -> pending.key().equals(key.value())
                        ? store.putIf(key, Optional.empty(), body, length, contentType)
                        : Uni.createFrom().failure(nothingWaits()))
                .onFailure(e -> e instanceof ReelvaultException r && r.code() == ErrorCode.CONFLICT)
                .transform(e -> new ReelvaultException(
                        ErrorCode.CONFLICT,
                        "this upload URL was used already: complete the upload, or ask for a new URL"));
    }

    /** {@code uploads/{user}/{id}/pending.json} for the key of an upload's original, if it is one. */
    private static Optional<ObjectKey> pendingOf(ObjectKey key) {
        String[] segments = key.value().split("/");
        if (segments.length != 4
                || !segments[0].equals(Area.UPLOADS.segment())
                || !segments[3].startsWith("original.")) {
            return Optional.empty();
        }
        try {
            return Optional.of(StorageLayout.uploadPending(UserId.parse(segments[1]), UploadId.parse(segments[2])));
        } catch (ReelvaultException notAnUpload) {
            return Optional.empty();
        }
    }

    private static ReelvaultException nothingWaits() {
        return new ReelvaultException(ErrorCode.NOT_FOUND, "no upload waits for this URL any more: ask for a new one");
    }

    /**
     * Finishes a direct upload: the object must exist with the promised size and its first bytes must
     * be the promised type (else the upload is over: the object and {@code pending.json} are deleted, 400
     * {@code length_mismatch} or 415, and completing again is 404); its SHA-256 is computed by reading it
     * back, then {@code metadata.json} is written. Completing twice answers the same metadata. The object
     * cannot change meanwhile: presigned PUTs are create-only.
     */
    public Uni<UploadMetadata> complete(UserId user, UploadId id) {
        ObjectKey pendingKey = StorageLayout.uploadPending(user, id);
        return metadata.read(StorageLayout.uploadMetadata(user, id), UploadMetadata.class)
                .onFailure(Failures::isNotFound)
                .recoverWithUni(() -> metadata.read(pendingKey, PendingUpload.class)
                        .onFailure(Failures::isNotFound)
                        .transform(e -> ReelvaultException.notFound("upload"))
                        .chain(pending -> verifyDirectUpload(user, id, pending, pendingKey, true)));
    }

    /**
     * The checks of {@link #complete} on an object stored by a direct upload, then its {@code metadata.json}; a refusal
     * deletes the object and {@code record}, the upload's pending document ({@code pending.json} or
     * {@code multipart.json}), which is also deleted once the metadata is written.
     *
     * @param presignedPut whether the object came through a presigned PUT URL (which may still work until
     *                     {@code pending.expiresAt()}); false for a multipart upload, which has none
     */
    Uni<UploadMetadata> verifyDirectUpload(
            UserId user, UploadId id, PendingUpload pending, ObjectKey record, boolean presignedPut) {
        ObjectKey original = ObjectKey.parse(pending.key());
        FileType type = FileType.ofKey(original).orElseThrow();
        return store.head(original).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom()
                        .failure(new ReelvaultException(
                                ErrorCode.NOT_FOUND, "nothing was uploaded yet: PUT the file to the upload URL first"));
            }
            if (found.get().size() != pending.sizeBytes()) {
                return reject(
                        pending,
                        record,
                        presignedPut,
                        new ReelvaultException(
                                ErrorCode.LENGTH_MISMATCH,
                                "the uploaded object has " + found.get().size() + " bytes, not the "
                                        + pending.sizeBytes() + " promised"));
            }
            BodyInspector inspector = new BodyInspector(maxBytes, type, OptionalLong.of(pending.sizeBytes()));
            return store.get(original, Optional.empty())
                    .chain(content -> Digests.sha256(inspector.inspect(content.body()))
                            .map(sha -> Map.entry(sha, content.info().etag()))) // the ETag of the very bytes hashed
                    .onFailure(e -> e instanceof ReelvaultException r && r.code() == ErrorCode.UNSUPPORTED_MEDIA_TYPE)
                    .call(() -> discard(pending, record, presignedPut))
                    .chain(checked -> {
                        UploadMetadata meta = new UploadMetadata(
                                id.value(),
                                user.value(),
                                original.value(),
                                pending.filename(),
                                pending.contentType(),
                                found.get().size(),
                                checked.getKey(),
                                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                                presignedPut ? pending.expiresAt() : null,
                                checked.getValue());
                        return metadata.write(StorageLayout.uploadMetadata(user, id), meta)
                                .chain(() -> store.delete(record))
                                .replaceWith(meta);
                    });
        });
    }

    private Uni<UploadMetadata> reject(
            PendingUpload pending, ObjectKey record, boolean presignedPut, ReelvaultException why) {
        return discard(pending, record, presignedPut)
                .chain(() -> Uni.createFrom().failure(why));
    }

    /**
     * A refused completion ends the upload: neither its bytes nor its pending document remains. An object that came
     * through a presigned PUT may become a tombstone ({@link #retire}); a multipart upload's has no URL that could
     * store it again (its upload is completed), so it is deleted.
     */
    private Uni<Void> discard(PendingUpload pending, ObjectKey record, boolean presignedPut) {
        ObjectKey original = ObjectKey.parse(pending.key());
        Uni<Void> removed = presignedPut ? retire(original, pending.expiresAt()) : store.delete(original);
        return removed.chain(() -> store.delete(record));
    }

    /**
     * Removes an upload's original. Where presigned PUTs bypass the service (S3) and the upload's URL may still
     * work, the original is replaced by an empty tombstone instead: the URL's {@code If-None-Match: *} then fails
     * (412) rather than storing its object again, and the {@link UploadSweeper} deletes the tombstone, which has
     * no metadata, once the grace (longer than any URL) has passed.
     *
     * @param urlLiveUntil when the upload's PUT URL stops working at the latest
     */
    private Uni<Void> retire(ObjectKey original, Instant urlLiveUntil) {
        if (!putsBypassService || !clock.instant().isBefore(urlLiveUntil.plus(CLOCK_SKEW))) {
            return store.delete(original);
        }
        return store.put(original, Multi.createFrom().empty(), OptionalLong.of(0), FileType.mediaTypeOf(original))
                .replaceWithVoid();
    }

    /** Allowance for the storage's clock being behind ours when deciding whether a PUT URL still works. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    /** One page of the user's uploads in id order (ids start with their date, so oldest first). */
    public Uni<UploadPage> list(UserId user, Optional<UploadId> after, int limit) {
        Optional<ObjectKey> startAfter = after.map(a -> StorageLayout.uploadMetadata(user, a));
        return store.list(StorageLayout.uploadsOf(user), startAfter)
                .select()
                .where(o -> o.key().fileName().equals("metadata.json"))
                .select()
                .first(limit + 1)
                .onItem()
                .transformToMultiAndConcatenate(o -> metadata.read(o.key(), UploadMetadata.class)
                        .toMulti()
                        .onFailure(Failures::isNotFound)
                        .recoverWithCompletion()) // deleted meanwhile
                .collect()
                .asList()
                .map(items -> items.size() > limit
                        ? new UploadPage(
                                List.copyOf(items.subList(0, limit)),
                                items.get(limit - 1).uploadId())
                        : new UploadPage(items, null));
    }

    /** The upload's metadata; {@code not_found} when it does not exist for this user. */
    public Uni<UploadMetadata> get(UserId user, UploadId id) {
        return metadata.read(StorageLayout.uploadMetadata(user, id), UploadMetadata.class)
                .onFailure(ReelvaultException.class)
                .transform(UploadService::notFoundAsUpload);
    }

    /**
     * A 1-hour GET URL of the original. A direct upload's original is headed first: when it is no longer the object
     * {@code complete} checked (another ETag or size), the URL is refused with {@code conflict}.
     */
    public Uni<SignedUrlView> url(UserId user, UploadId id) {
        return get(user, id).chain(meta -> {
            ObjectKey original = ObjectKey.parse(meta.key());
            if (meta.etag() == null) {
                return Uni.createFrom().item(urls.sign(UrlPurpose.PREVIEW, original, Map.of()));
            }
            return store.head(original).map(info -> {
                if (info.isPresent()
                        && (!meta.etag().equals(info.get().etag()) || info.get().size() != meta.sizeBytes())) {
                    LOG.warnf(
                            "upload %s: its original changed after completion; no URL is handed out", meta.uploadId());
                    throw new ReelvaultException(
                            ErrorCode.CONFLICT,
                            "the stored file changed after it was checked; delete this upload and upload it again");
                }
                return urls.sign(UrlPurpose.PREVIEW, original, Map.of());
            });
        });
    }

    /**
     * Deletes the upload: its metadata first (it disappears from listings at once), then the rest.
     * {@code not_found} when it does not exist for this user. A direct upload's original whose PUT URL may
     * still work on S3 becomes a tombstone instead (see {@link #retire}).
     */
    public Uni<Void> delete(UserId user, UploadId id) {
        ObjectKey meta = StorageLayout.uploadMetadata(user, id);
        return store.head(meta)
                .chain(found -> found.isPresent()
                        ? Uni.createFrom().item(found)
                        : store.head(StorageLayout.uploadPending(user, id)))
                .onItem()
                .transformToUni(found -> {
                    if (found.isEmpty()) {
                        return Uni.createFrom().failure(ReelvaultException.notFound("upload"));
                    }
                    Uni<List<ObjectInfo>> deleteMetadataThenList = store.delete(meta)
                            .chain(() -> store.list(StorageLayout.upload(user, id), Optional.empty())
                                    .collect()
                                    .asList());
                    if (!putsBypassService) {
                        return deleteMetadataThenList.chain(objects -> store.deleteMany(keys(objects)));
                    }
                    boolean pendingOnly = found.get().key().fileName().equals("pending.json");
                    return urlLiveUntil(found.get().key(), pendingOnly)
                            .chain(live -> deleteMetadataThenList.chain(objects -> {
                                Optional<ObjectKey> original = live.map(Map.Entry::getKey);
                                List<ObjectInfo> rest = objects.stream()
                                        .filter(i ->
                                                original.isEmpty() || !i.key().equals(original.get()))
                                        .toList();
                                Uni<Void> retired = live.isPresent()
                                        ? retire(live.get().getKey(), live.get().getValue())
                                        : Uni.createFrom().voidItem();
                                return retired.chain(() ->
                                        rest.isEmpty() ? Uni.createFrom().voidItem() : store.deleteMany(keys(rest)));
                            }));
                });
    }

    private static List<ObjectKey> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).toList();
    }

    /** A direct upload's original and when its PUT URL stops working, from its pending.json or metadata.json. */
    private Uni<Optional<Map.Entry<ObjectKey, Instant>>> urlLiveUntil(ObjectKey document, boolean pendingOnly) {
        Uni<Optional<Map.Entry<ObjectKey, Instant>>> read = pendingOnly
                ? metadata.read(document, PendingUpload.class)
                        .map(p -> Optional.of(Map.entry(ObjectKey.parse(p.key()), p.expiresAt())))
                : metadata.read(document, UploadMetadata.class)
                        .map(m -> m.uploadUrlExpiresAt() == null
                                ? Optional.empty()
                                : Optional.of(Map.entry(ObjectKey.parse(m.key()), m.uploadUrlExpiresAt())));
        return read.onFailure(Failures::isNotFound).recoverWithItem(Optional.empty());
    }

    private static Throwable notFoundAsUpload(Throwable e) {
        return Failures.isNotFound(e) ? ReelvaultException.notFound("upload") : e;
    }
}
