package io.reelvault.service.composition;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.CompositionId;
import io.reelvault.model.FileType;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.model.UploadId;
import io.reelvault.service.BodyInspector;
import io.reelvault.service.Digests;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.upload.MultipartRecord;
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.service.upload.MultipartUploadService.CompletedPart;
import io.reelvault.service.upload.MultipartUploadService.MultipartStarted;
import io.reelvault.service.upload.MultipartUploadService.PartUrl;
import io.reelvault.service.upload.MultipartUploadService.UploadedPartPage;
import io.reelvault.storage.ObjectMoves;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Direct multipart uploads of a composition's final render (up to {@code REELVAULT_PIPELINE_MAX_SIZE}): the pipeline
 * sends the parts straight to storage, as a user does with a large upload ({@link MultipartUploadService}, whose steps
 * these are). What differs is where the parts become an object and how it is published: they are assembled at the
 * staging key {@code compositions/{id}/multipart/{upload_id}/final.mp4}, never at {@code final.mp4}; completion checks
 * its size, reads it back once (constant memory) through the magic-byte check while hashing it, and only then moves the
 * verified object to {@code final.mp4} ({@link ObjectMoves}: local rename, S3 server-side copy conditioned on the ETag
 * of the bytes hashed) and records it exactly as {@code PUT .../final} does ({@link CompositionService#recordFinal}:
 * metadata, thumbnail, compression), so nothing downstream can tell how the final arrived. A refused object is deleted
 * with the upload's record; {@code final.mp4} is never touched by it. The upload's record is
 * {@code compositions/{id}/multipart/{upload_id}/multipart.json}; {@link FinalMultipartSweeper} ends those not
 * completed in time.
 */
@ApplicationScoped
public class FinalMultipartService {
    /** Refusals of the staged object's content: it is deleted and the upload ends. */
    private static final Set<ErrorCode> REFUSED =
            Set.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.LENGTH_MISMATCH, ErrorCode.PAYLOAD_TOO_LARGE);

    private final MultipartUploadService multipart;
    private final CompositionService compositions;
    private final ArtifactWriter writer;
    private final ObjectStore store;
    private final Clock clock;
    private final long maxBytes;

    public FinalMultipartService(
            MultipartUploadService multipart,
            CompositionService compositions,
            ArtifactWriter writer,
            ObjectStore store,
            Clock clock,
            ReelvaultConfig config) {
        this.multipart = multipart;
        this.compositions = compositions;
        this.writer = writer;
        this.store = store;
        this.clock = clock;
        this.maxBytes = config.pipeline().maxSize().asLongValue();
    }

    /**
     * Starts an upload of the final: the declared type ({@code video/mp4}, else 415) and size (1 to
     * {@code REELVAULT_PIPELINE_MAX_SIZE}, else 400 / 413) are checked first, then that the composition exists and is
     * unexpired ({@code not_found} / {@code expired}), then the part size; only then is a storage upload created.
     */
    public Uni<MultipartStarted> start(
            CompositionId id, String contentType, long sizeBytes, OptionalLong requestedPartSize) {
        if (sizeBytes < 1) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "size_bytes must be at least 1");
        }
        writer.precheck(FileType.MP4, contentType, OptionalLong.of(sizeBytes));
        return compositions.get(id).chain(meta -> {
            UploadId upload = UploadId.generate(clock);
            return multipart.start(
                    StorageLayout.compositionFinalMultipartRecord(id, upload),
                    StorageLayout.compositionFinalStaging(id, upload),
                    upload,
                    meta.userId(),
                    "final.mp4",
                    FileType.MP4.mediaType(),
                    sizeBytes,
                    requestedPartSize);
        });
    }

    /** Part URLs of the upload, as {@link MultipartUploadService#signParts(ObjectKey, List)}; the composition live. */
    public Uni<List<PartUrl>> signParts(CompositionId id, UploadId upload, List<Integer> numbers) {
        return compositions.get(id).chain(() -> multipart.signParts(record(id, upload), numbers));
    }

    /** The parts storage holds, as {@link MultipartUploadService#parts(ObjectKey, int, int)}. */
    public Uni<UploadedPartPage> parts(CompositionId id, UploadId upload, int after, int limit) {
        return compositions.get(id).chain(() -> multipart.parts(record(id, upload), after, limit));
    }

    /**
     * Completes the upload: parts checked and assembled at the staging key ({@code invalid_part} as for user uploads),
     * then the object verified (size: {@code length_mismatch}; magic bytes: 415; both end the upload, its object
     * deleted), hashed, moved to {@code final.mp4} and recorded with {@code compress} as the plain PUT's
     * {@code ?compress=}. Completing an upload that is over is {@code not_found}.
     */
    public Uni<CompositionMetadata> complete(
            CompositionId id, UploadId upload, List<CompletedPart> parts, boolean compress) {
        ObjectKey record = record(id, upload);
        return compositions
                .get(id)
                .chain(() -> multipart.complete(record, parts, r -> publish(id, record, r, compress)));
    }

    /** Aborts the upload: its parts, any staged object and its record are gone; {@code not_found} when none waits. */
    public Uni<Void> abort(CompositionId id, UploadId upload) {
        return multipart.abort(record(id, upload));
    }

    private Uni<CompositionMetadata> publish(CompositionId id, ObjectKey record, MultipartRecord r, boolean compress) {
        ObjectKey staging = ObjectKey.parse(r.key());
        ObjectMoves moves = store.capability(ObjectMoves.class)
                .orElseThrow(() -> new ReelvaultException(
                        ErrorCode.STORAGE_UNAVAILABLE, "this storage backend cannot move objects"));
        return store.head(staging)
                .map(found -> found.orElseThrow(() -> ReelvaultException.notFound("upload")))
                .chain(found -> {
                    if (found.size() != r.sizeBytes()) {
                        return Uni.createFrom()
                                .failure(new ReelvaultException(
                                        ErrorCode.LENGTH_MISMATCH,
                                        "the assembled final has " + found.size() + " bytes, not the " + r.sizeBytes()
                                                + " promised"));
                    }
                    BodyInspector inspector = new BodyInspector(maxBytes, FileType.MP4, OptionalLong.of(r.sizeBytes()));
                    return store.get(staging, Optional.empty())
                            .chain(content -> Digests.sha256(inspector.inspect(content.body()))
                                    .map(sha -> Map.entry(sha, content.info().etag())));
                })
                .onFailure(e -> e instanceof ReelvaultException x && REFUSED.contains(x.code()))
                .call(() -> store.deleteMany(List.of(staging, record)))
                .chain(checked -> moves.move(staging, checked.getValue(), StorageLayout.compositionFinal(id))
                        .chain(info -> compositions.recordFinal(id, compress, new PutResult(info, checked.getKey())))
                        .call(() -> store.delete(record)));
    }

    private static ObjectKey record(CompositionId id, UploadId upload) {
        return StorageLayout.compositionFinalMultipartRecord(id, upload);
    }
}
