package io.reelvault.service.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import io.reelvault.service.Failures;
import io.reelvault.service.artifact.MetadataStore;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.SignedPartReceiver;
import io.reelvault.storage.SignedUrls;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Direct multipart uploads of a user's file: the parts go from the client straight to storage (S3: presigned UploadPart
 * URLs; local: the service's own signed part URLs), the service starts, signs, lists, completes and aborts. What the
 * upload promised is kept in {@code uploads/{user}/{id}/multipart.json} ({@link MultipartRecord}); completion checks
 * every part against it before assembling, then the object as a presigned upload's {@code complete} does (size, magic
 * bytes, SHA-256, {@code metadata.json}). Every method only touches keys under {@code uploads/{that user}/}, so another
 * user's upload is not found.
 *
 * <p>The methods taking a record key serve other features' multipart uploads with the same steps: a composition's
 * final render ({@code service.composition.FinalMultipartService}) records its upload under the composition and
 * assembles it at a staging key, then publishes it through its own {@code finish}.
 */
// a singleton, not a client proxy: it is made when a bean that uses it is, on that request's thread, never at its first
// call, which may come on an S3 client's native thread (a final's upload continues after the composition was read),
// where ArC cannot load what making a bean needs (ClassNotFoundException: InjectionPoint)
@Singleton
public class MultipartUploadService {
    /** How long a multipart upload may take from start to completion; below the bucket's 1-day abort rule. */
    public static final Duration LIFETIME = Duration.ofHours(12);
    /** Part URLs signed in one call at most. */
    public static final int MAX_SIGN_BATCH = 100;
    /** Parts listed per page at most (S3's ListParts page). */
    public static final int MAX_LIST = 1000;
    /** The largest part (S3's limit): 5 GiB. */
    public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    /** The longest ETag accepted in a completion. */
    private static final int MAX_ETAG = 128;

    private final ObjectStore store;
    private final MetadataStore metadata;
    private final UploadService uploads;
    private final Clock clock;
    private final long configuredPartSize;

    public MultipartUploadService(
            ObjectStore store, ObjectMapper json, UploadService uploads, Clock clock, ReelvaultConfig config) {
        this.store = store;
        this.metadata = new MetadataStore(store, json);
        this.uploads = uploads;
        this.clock = clock;
        this.configuredPartSize = checkedPartSize(config);
    }

    /**
     * {@code REELVAULT_UPLOADS_MULTIPART_PART_SIZE}, which must be a part size S3 takes (5M to 5G): checked at start-up
     * ({@link MultipartSettingsCheck}), not at the first multipart upload.
     */
    public static long checkedPartSize(ReelvaultConfig config) {
        long size = config.uploads().multipartPartSize().asLongValue();
        if (size < DirectMultipart.MIN_PART_SIZE || size > MAX_PART_SIZE) {
            throw new IllegalStateException(
                    "REELVAULT_UPLOADS_MULTIPART_PART_SIZE is " + size + " bytes: it must be between 5M and 5G");
        }
        return size;
    }

    /** What {@link #create} answers. */
    public record MultipartStarted(String uploadId, long partSize, int partCount, long expiresIn) {}

    /** A part's signed PUT URL: send exactly {@code sizeBytes} bytes with {@code headers}. */
    public record PartUrl(
            int partNumber, String url, String method, Map<String, String> headers, long sizeBytes, long expiresIn) {}

    /** A part storage holds. */
    public record UploadedPart(int partNumber, long sizeBytes, String etag) {}

    /** A page of stored parts; continue with {@code after=next_after} while there is one (absent on the last page). */
    public record UploadedPartPage(
            List<UploadedPart> parts,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer nextAfter) {}

    /** A part named in a completion. */
    public record CompletedPart(Integer partNumber, String etag) {}

    private DirectMultipart direct() {
        return store.capability(DirectMultipart.class)
                .orElseThrow(() -> new ReelvaultException(
                        ErrorCode.STORAGE_UNAVAILABLE, "this storage backend has no direct multipart uploads"));
    }

    /**
     * Starts an upload: name, type and size are checked first (as a presign's), then the storage's multipart upload
     * is created and {@code multipart.json} written.
     */
    public Uni<MultipartStarted> create(UserId user, String filename, String contentType, long sizeBytes) {
        return create(user, filename, contentType, sizeBytes, OptionalLong.empty());
    }

    /**
     * As {@link #create(UserId, String, String, long)}, with the part size the client chose (e.g. Uppy's
     * {@code getChunkSize}, which cuts the file before the upload starts): 5 MiB to 5 GiB, and at most 10,000 parts;
     * {@code invalid_request} otherwise. Empty: {@code REELVAULT_UPLOADS_MULTIPART_PART_SIZE}, grown to 10,000 parts.
     */
    public Uni<MultipartStarted> create(
            UserId user, String filename, String contentType, long sizeBytes, OptionalLong requestedPartSize) {
        if (sizeBytes < 1) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "size_bytes must be at least 1");
        }
        UploadFilename name = uploads.precheck(filename, contentType, OptionalLong.of(sizeBytes));
        UploadId id = UploadId.generate(clock);
        return start(
                StorageLayout.uploadMultipart(user, id),
                StorageLayout.uploadOriginal(user, id, name.type()),
                id,
                user.value(),
                name.value(),
                name.type().mediaType(),
                sizeBytes,
                requestedPartSize);
    }

    /**
     * Starts a multipart upload of {@code object} whose record is {@code recordKey}, for any feature (user uploads, a
     * composition's final render): the caller has checked what it promises (type, size against its limit, the
     * caller's right) first. The part size is the one asked (5 MiB to 5 GiB, at most 10,000 parts; else
     * {@code invalid_request}) or {@code REELVAULT_UPLOADS_MULTIPART_PART_SIZE}, grown to 10,000 parts.
     *
     * @param owner the user the record names (the upload's user, or the composition's)
     */
    public Uni<MultipartStarted> start(
            ObjectKey recordKey,
            ObjectKey object,
            UploadId id,
            String owner,
            String filename,
            String contentType,
            long sizeBytes,
            OptionalLong requestedPartSize) {
        if (sizeBytes < 1) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "size_bytes must be at least 1");
        }
        if (requestedPartSize.isPresent()
                && (requestedPartSize.getAsLong() < DirectMultipart.MIN_PART_SIZE
                        || requestedPartSize.getAsLong() > MAX_PART_SIZE
                        || ceilDiv(sizeBytes, requestedPartSize.getAsLong()) > DirectMultipart.MAX_PARTS)) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST,
                    "part_size must be 5 MiB to 5 GiB and cut the file into at most 10,000 parts");
        }
        DirectMultipart direct = direct();
        long partSize =
                requestedPartSize.orElse(Math.max(configuredPartSize, ceilDiv(sizeBytes, DirectMultipart.MAX_PARTS)));
        int partCount = (int) ceilDiv(sizeBytes, partSize);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return direct.create(object, contentType).chain(storageId -> {
            MultipartRecord record = new MultipartRecord(
                    id.value(),
                    owner,
                    object.value(),
                    filename,
                    contentType,
                    sizeBytes,
                    partSize,
                    partCount,
                    storageId,
                    now,
                    now.plus(LIFETIME));
            return metadata.write(recordKey, record)
                    .onFailure()
                    .call(() -> direct.abort(object, storageId))
                    .replaceWith(new MultipartStarted(id.value(), partSize, partCount, LIFETIME.toSeconds()));
        });
    }

    /**
     * Part URLs, each bound to its number and exact length, valid 15 minutes (never past the upload's lifetime).
     * {@code invalid_request} for an empty or oversized batch or a number outside 1..part_count.
     */
    public Uni<List<PartUrl>> signParts(UserId user, UploadId id, List<Integer> numbers) {
        return signParts(StorageLayout.uploadMultipart(user, id), numbers);
    }

    /** {@link #signParts(UserId, UploadId, List)} of the upload recorded at {@code recordKey}. */
    public Uni<List<PartUrl>> signParts(ObjectKey recordKey, List<Integer> numbers) {
        if (numbers == null || numbers.isEmpty() || numbers.size() > MAX_SIGN_BATCH) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "part_numbers holds 1 to " + MAX_SIGN_BATCH + " part numbers");
        }
        return record(recordKey).map(r -> {
            for (Integer n : numbers) {
                if (n == null || n < 1 || n > r.partCount()) {
                    throw new ReelvaultException(
                            ErrorCode.INVALID_REQUEST, "part numbers of this upload are 1 to " + r.partCount());
                }
            }
            Instant now = clock.instant();
            if (!now.isBefore(r.expiresAt())) {
                throw new ReelvaultException(ErrorCode.EXPIRED, "this multipart upload has expired: start a new one");
            }
            Duration left =
                    Duration.ofSeconds(Duration.between(now, r.expiresAt()).toSeconds());
            Duration valid =
                    left.compareTo(UrlPurpose.USER_UPLOAD.expiry()) < 0 ? left : UrlPurpose.USER_UPLOAD.expiry();
            ObjectKey key = ObjectKey.parse(r.key());
            DirectMultipart direct = direct();
            List<PartUrl> urls = new ArrayList<>(numbers.size());
            for (int n : new java.util.LinkedHashSet<>(numbers)) {
                long length = r.partLength(n);
                SignedUrls.SignedUrl url = direct.signPart(key, r.storageUploadId(), n, length, valid);
                urls.add(new PartUrl(
                        n,
                        url.url().toString(),
                        "PUT",
                        url.requiredHeaders(),
                        length,
                        url.expiresIn().toSeconds()));
            }
            return urls;
        });
    }

    /** The parts storage holds, numbers above {@code after}, at most {@code limit} (1 to {@value #MAX_LIST}). */
    public Uni<UploadedPartPage> parts(UserId user, UploadId id, int after, int limit) {
        return parts(StorageLayout.uploadMultipart(user, id), after, limit);
    }

    /** {@link #parts(UserId, UploadId, int, int)} of the upload recorded at {@code recordKey}. */
    public Uni<UploadedPartPage> parts(ObjectKey recordKey, int after, int limit) {
        if (after < 0 || after > DirectMultipart.MAX_PARTS || limit < 1 || limit > MAX_LIST) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "after is 0 to 10000 and limit 1 to " + MAX_LIST);
        }
        return record(recordKey)
                .chain(r -> direct().parts(ObjectKey.parse(r.key()), r.storageUploadId(), after, limit + 1)
                        .onFailure(Failures::isNotFound)
                        .transform(e -> ReelvaultException.notFound("upload"))
                        .map(parts -> {
                            List<UploadedPart> page = parts.stream()
                                    .limit(limit)
                                    .map(p -> new UploadedPart(p.number(), p.size(), p.etag()))
                                    .toList();
                            return new UploadedPartPage(
                                    page,
                                    parts.size() > limit ? page.get(limit - 1).partNumber() : null);
                        }));
    }

    /**
     * Completes the upload: every part 1..part_count named once, in order, each as storage holds it (its ETag and
     * its number's exact length), else {@code invalid_part} and nothing is assembled (the upload stays, to be fixed
     * and completed again). Then the parts are assembled and the object checked as a presigned upload's
     * {@code complete} checks it; a refusal there ends the upload. Completing twice answers the same metadata.
     */
    public Uni<UploadMetadata> complete(UserId user, UploadId id, List<CompletedPart> given) {
        checkNamed(given);
        ObjectKey recordKey = StorageLayout.uploadMultipart(user, id);
        return metadata.read(StorageLayout.uploadMetadata(user, id), UploadMetadata.class)
                .onFailure(Failures::isNotFound)
                .recoverWithUni(() -> complete(
                        recordKey, given, r -> uploads.verifyDirectUpload(user, id, asPending(r), recordKey, false)));
    }

    /**
     * Completes the upload recorded at {@code recordKey}: the parts are checked and assembled into the record's object
     * as {@link #complete(UserId, UploadId, List)} does, then {@code finish} checks and publishes it (and removes the
     * record). An object already assembled (a completion cut short) is handed to {@code finish} again.
     */
    public <T> Uni<T> complete(
            ObjectKey recordKey, List<CompletedPart> given, Function<MultipartRecord, Uni<T>> finish) {
        checkNamed(given);
        return record(recordKey).chain(r -> assemble(r, given).chain(() -> finish.apply(r)));
    }

    private static void checkNamed(List<CompletedPart> given) {
        if (given == null || given.isEmpty() || given.size() > DirectMultipart.MAX_PARTS) {
            throw new ReelvaultException(ErrorCode.INVALID_PART, "parts names every part of the upload, in order");
        }
        for (CompletedPart p : given) {
            if (p == null
                    || p.partNumber() == null
                    || (p.etag() != null && p.etag().length() > MAX_ETAG)) {
                throw new ReelvaultException(
                        ErrorCode.INVALID_REQUEST, "each part has a part_number and an etag of at most 128 characters");
            }
            if (p.etag() == null || p.etag().isEmpty()) { // a part named without the ETag its PUT answered
                throw invalidPart("part " + p.partNumber() + " has no etag: name it with the ETag its PUT answered");
            }
        }
    }

    private Uni<Void> assemble(MultipartRecord r, List<CompletedPart> given) {
        if (given.size() != r.partCount()) {
            throw invalidPart("this upload has " + r.partCount() + " parts; name each once, in order");
        }
        for (int i = 0; i < given.size(); i++) {
            if (given.get(i).partNumber() != i + 1) {
                throw invalidPart("name the parts 1 to " + r.partCount() + " in order");
            }
        }
        ObjectKey key = ObjectKey.parse(r.key());
        DirectMultipart direct = direct();
        return allParts(direct, key, r.storageUploadId())
                .onItem()
                .transformToUni(stored -> {
                    List<DirectMultipart.Part> parts = new ArrayList<>(given.size());
                    for (CompletedPart p : given) {
                        DirectMultipart.Part s = stored.get(p.partNumber());
                        if (s == null) {
                            throw invalidPart("part " + p.partNumber() + " was not uploaded");
                        }
                        if (!unquoted(s.etag()).equals(unquoted(p.etag()))) {
                            throw invalidPart("part " + p.partNumber() + " has another ETag: upload it again or list"
                                    + " the parts");
                        }
                        if (s.size() != r.partLength(p.partNumber())) {
                            throw invalidPart("part " + p.partNumber() + " has " + s.size() + " bytes, not "
                                    + r.partLength(p.partNumber()));
                        }
                        parts.add(s);
                    }
                    return direct.complete(key, r.storageUploadId(), parts).replaceWithVoid();
                })
                .onFailure(e -> Failures.isNotFound(e) || e instanceof PreconditionFailedException)
                .recoverWithUni(e -> store.head(key)
                        .map(
                                found -> { // assembled already (a completion cut short)
                                    if (found.isEmpty()) {
                                        throw ReelvaultException.notFound("upload");
                                    }
                                    return null;
                                }));
    }

    /** Every part storage holds, by number, read a page at a time (at most 10 pages of 1,000). */
    private Uni<Map<Integer, DirectMultipart.Part>> allParts(DirectMultipart direct, ObjectKey key, String storageId) {
        Map<Integer, DirectMultipart.Part> all = new java.util.TreeMap<>();
        return Multi.createBy()
                .repeating()
                .uni(
                        () -> new int[] {0},
                        after -> direct.parts(key, storageId, after[0], MAX_LIST)
                                .invoke(page -> {
                                    page.forEach(p -> all.put(p.number(), p));
                                    after[0] = page.isEmpty()
                                            ? Integer.MAX_VALUE
                                            : page.get(page.size() - 1).number();
                                }))
                .until(page -> page.size() < MAX_LIST)
                .collect()
                .last()
                .replaceWith(all);
    }

    /** Aborts the upload: its parts and {@code multipart.json} are gone. {@code not_found} when none waits. */
    public Uni<Void> abort(UserId user, UploadId id) {
        return abort(StorageLayout.uploadMultipart(user, id));
    }

    /** {@link #abort(UserId, UploadId)} of the upload recorded at {@code recordKey}. */
    public Uni<Void> abort(ObjectKey recordKey) {
        return record(recordKey)
                .chain(r -> direct().abort(ObjectKey.parse(r.key()), r.storageUploadId())
                        .chain(() -> store.delete(ObjectKey.parse(r.key())))
                        .chain(() -> store.delete(recordKey)));
    }

    /**
     * The body of a local signed part PUT ({@code /storage/} route): stored only while the multipart upload of
     * {@code key} waits and is the one the URL was signed for; {@code not_found} otherwise.
     */
    public Uni<DirectMultipart.Part> receivePart(
            ObjectKey key, String storageUploadId, int number, Multi<ByteBuffer> body, long length) {
        Optional<ObjectKey> recordKey = recordOf(key);
        SignedPartReceiver receiver = store.capability(SignedPartReceiver.class).orElse(null);
        if (recordKey.isEmpty() || receiver == null) {
            return Uni.createFrom().failure(nothingWaits());
        }
        return metadata.read(recordKey.get(), MultipartRecord.class)
                .onFailure(Failures::isNotFound)
                .transform(e -> nothingWaits())
                .chain(r -> r.key().equals(key.value())
                                && r.storageUploadId().equals(storageUploadId)
                                && number >= 1
                                && number <= r.partCount()
                                && length == r.partLength(number)
                        ? receiver.receivePart(storageUploadId, number, body, length)
                        : Uni.createFrom().failure(nothingWaits()));
    }

    private Uni<MultipartRecord> record(ObjectKey recordKey) {
        return metadata.read(recordKey, MultipartRecord.class)
                .onFailure(Failures::isNotFound)
                .transform(e -> ReelvaultException.notFound("upload"));
    }

    /** The record as {@link UploadService#verifyDirectUpload} reads it; no PUT URL of the original ever existed. */
    private static PendingUpload asPending(MultipartRecord r) {
        return new PendingUpload(
                r.uploadId(),
                r.userId(),
                r.key(),
                r.filename(),
                r.contentType(),
                r.sizeBytes(),
                r.createdAt(),
                r.createdAt());
    }

    /**
     * The record of the multipart upload whose object is {@code key}, if it is one: {@code uploads/{user}/{id}/multipart.json}
     * for an upload's original, {@code compositions/{id}/multipart/{upload_id}/multipart.json} for a final's staging
     * object.
     */
    private static Optional<ObjectKey> recordOf(ObjectKey key) {
        return UploadService.documentOf(key, StorageLayout::uploadMultipart)
                .or(() -> StorageLayout.parseCompositionFinalMultipart(key)
                        .filter(f -> key.equals(StorageLayout.compositionFinalStaging(f.composition(), f.upload())))
                        .map(f -> StorageLayout.compositionFinalMultipartRecord(f.composition(), f.upload())));
    }

    private static ReelvaultException nothingWaits() {
        return new ReelvaultException(ErrorCode.NOT_FOUND, "no upload waits for this part URL any more");
    }

    private static ReelvaultException invalidPart(String detail) {
        return new ReelvaultException(ErrorCode.INVALID_PART, detail);
    }

    private static String unquoted(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
