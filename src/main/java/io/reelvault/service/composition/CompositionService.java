package io.reelvault.service.composition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.media.MediaTools;
import io.reelvault.model.Area;
import io.reelvault.model.CompositionId;
import io.reelvault.model.ContentDisposition;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.model.UrlPurpose;
import io.reelvault.model.UserId;
import io.reelvault.service.FileBody;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.artifact.ArtifactDocuments;
import io.reelvault.service.artifact.ArtifactWorkflow;
import io.reelvault.service.artifact.MetadataPage;
import io.reelvault.service.artifact.Statuses;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.artifact.ThumbnailState;
import io.reelvault.service.generation.GenerationService;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PreconditionFailedException;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Compositions: a timeline over generations' clips, then the rendered final video and its thumbnail.
 * A final stored without a thumbnail gets one extracted; with compression asked for, ffmpeg
 * re-encodes it in the background and the smaller file replaces the original in one atomic write, only while
 * the original is still there (the original stays when the re-encode is not smaller). Expire 90 days after creation.
 */
@ApplicationScoped
public class CompositionService {
    private static final Logger LOG = Logger.getLogger(CompositionService.class);
    static final int MAX_TIMELINE_BYTES = 256 * 1024;
    private static final String MEDIA_FAILED = "media processing failed";

    private final ObjectStore store;
    private final ArtifactDocuments<CompositionMetadata> documents;
    private final ObjectMapper json;
    private final GenerationService generations;
    private final MediaTools media;
    private final Clock clock;
    private final boolean compressByDefault;

    public CompositionService(
            ArtifactWorkflow workflow,
            ObjectMapper json,
            GenerationService generations,
            MediaTools media,
            ReelvaultConfig config) {
        this.store = workflow.store();
        this.clock = workflow.clock();
        this.documents = workflow.documents(
                CompositionMetadata.class,
                "composition",
                Area.COMPOSITIONS,
                CompositionId.PREFIX,
                CompositionMetadata::compositionId);
        this.json = json;
        this.generations = generations;
        this.media = media;
        this.compressByDefault = config.pipeline().compress();
    }

    /** The answer of {@code GET .../download}. */
    public record Download(String url, long expiresIn, String filename) {}

    /**
     * Validates the timeline ({@link Timeline}) and that every generation it uses exists and is
     * unexpired, then writes {@code timeline.json} and {@code metadata.json}.
     */
    public Uni<CompositionMetadata> create(UserId user, Optional<GenerationId> generation, JsonNode timeline) {
        var used = Timeline.validate(timeline, generation);
        byte[] timelineBytes;
        try {
            timelineBytes = json.writeValueAsBytes(timeline);
        } catch (IOException e) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "the timeline is not serialisable");
        }
        if (timelineBytes.length > MAX_TIMELINE_BYTES) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "the timeline is larger than " + MAX_TIMELINE_BYTES + " bytes");
        }
        CompositionId id = CompositionId.generate(clock);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        CompositionMetadata meta = new CompositionMetadata(
                id.value(),
                user.value(),
                generation.map(GenerationId::value).orElse(null),
                CompositionStatus.PENDING,
                now,
                Area.COMPOSITIONS.expiresAt(now).orElseThrow(),
                null,
                null,
                null,
                null,
                null);
        return Multi.createFrom()
                .iterable(used)
                .onItem()
                .transformToUniAndConcatenate(generations::read)
                .collect()
                .last()
                .chain(() -> store.put(
                        StorageLayout.compositionTimeline(id),
                        Multi.createFrom().item(ByteBuffer.wrap(timelineBytes)),
                        OptionalLong.of(timelineBytes.length),
                        "application/json"))
                .chain(() -> documents.create(StorageLayout.compositionMetadata(id), meta))
                .replaceWith(meta);
    }

    /** The composition's metadata: {@code not_found}, or {@code expired} past its retention. */
    public Uni<CompositionMetadata> get(CompositionId id) {
        return documents.read(StorageLayout.compositionMetadata(id));
    }

    /**
     * Compositions in id (creation) order, filtered by status, creation time, user and generation, read
     * from their metadata (see {@link ArtifactDocuments#list}). Expired compositions are never listed.
     */
    public Uni<MetadataPage<CompositionMetadata>> list(
            Optional<String> status,
            Optional<Instant> since,
            Optional<UserId> user,
            Optional<GenerationId> generation,
            Optional<CompositionId> after,
            int limit) {
        return documents.list(
                status.map(s -> Statuses.parse(CompositionStatus.class, s)),
                since,
                user,
                meta -> generation
                        .map(g -> g.value().equals(meta.generationId()))
                        .orElse(true),
                after.map(CompositionId::value),
                limit);
    }

    /** Whether a final PUT without {@code ?compress=} is compressed. */
    public boolean compressByDefault() {
        return compressByDefault;
    }

    /**
     * Streams the final render in (MP4 by content), records it, and starts the background work: a
     * thumbnail when none was uploaded, then compression when asked for.
     */
    public Uni<CompositionMetadata> putFinal(
            CompositionId id, boolean compress, OptionalLong length, Multi<ByteBuffer> body) {
        return documents
                .write(StorageLayout.compositionFinal(id), FileType.MP4, length, body)
                .chain(stored -> recordFinal(id, compress, stored));
    }

    /**
     * What follows a final stored at {@code final.mp4}, however it arrived (streamed by {@link #putFinal}, or verified
     * at a staging key and moved there by {@link FinalMultipartService}): the metadata records it (status
     * {@code rendered}, its size and SHA-256, thumbnail and compression states; refused for a composition gone or
     * expired meanwhile, the final then removed), and the background work starts.
     *
     * @param stored the object now at {@code final.mp4} and the SHA-256 of its bytes
     */
    Uni<CompositionMetadata> recordFinal(CompositionId id, boolean compress, PutResult stored) {
        ObjectKey key = StorageLayout.compositionFinal(id);
        return documents
                .updateFor(
                        metaKey(id),
                        key,
                        meta -> store.head(StorageLayout.compositionThumbnail(id))
                                .map(thumb -> {
                                    // the pipeline's own thumbnail stays: sent before the first final,
                                    // or uploaded since
                                    boolean uploaded = thumb.isPresent()
                                            && (meta.status() == CompositionStatus.PENDING
                                                    || meta.thumbnail() == ThumbnailState.UPLOADED);
                                    CompositionMetadata.Compression compression = !compress
                                            ? null
                                            : new CompositionMetadata.Compression(
                                                    media.available()
                                                            ? CompressionStatus.PENDING
                                                            : CompressionStatus.UNAVAILABLE,
                                                    stored.info().size(),
                                                    null,
                                                    null);
                                    return meta.withFinal(
                                            StoredArtifact.of(stored),
                                            clock.instant().truncatedTo(ChronoUnit.MILLIS),
                                            documents.newThumbnail(uploaded),
                                            compression);
                                }))
                .invoke(meta -> process(id, meta, stored.info().etag()));
    }

    /** Streams the pipeline's own thumbnail in (JPEG by content). */
    public Uni<StoredArtifact> putThumbnail(CompositionId id, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.compositionThumbnail(id);
        return documents
                .write(key, FileType.JPEG, length, body)
                .chain(stored -> documents
                        .updateFor(
                                metaKey(id),
                                key,
                                meta -> Uni.createFrom().item(meta.withThumbnail(ThumbnailState.UPLOADED, null)))
                        .replaceWith(StoredArtifact.of(stored)));
    }

    /** A 6-hour GET URL of the final video that downloads as {@code video_{id}.mp4}; {@code not_found} before it is stored. */
    public Uni<Download> download(CompositionId id) {
        return get(id).chain(meta -> store.head(StorageLayout.compositionFinal(id))
                .map(found -> {
                    if (found.isEmpty()) {
                        throw new ReelvaultException(ErrorCode.NOT_FOUND, "the composition has no final video yet");
                    }
                    String filename = "video_" + id.value() + ".mp4";
                    SignedUrlView url = documents.sign(
                            UrlPurpose.DOWNLOAD,
                            StorageLayout.compositionFinal(id),
                            Map.of("Content-Disposition", ContentDisposition.attachment(filename)),
                            meta);
                    return new Download(url.url(), url.expiresIn(), filename);
                }));
    }

    /** Deletes the composition: metadata first, then every object under it. */
    public Uni<Void> delete(CompositionId id) {
        return documents.delete(
                metaKey(id),
                StorageLayout.composition(id),
                meta -> Uni.createFrom().voidItem());
    }

    private static ObjectKey metaKey(CompositionId id) {
        return StorageLayout.compositionMetadata(id);
    }

    /** Background work after a final arrived: the thumbnail first, then compression (they never overlap on one file). */
    private void process(CompositionId id, CompositionMetadata stored, String storedEtag) {
        boolean thumbnail = stored.thumbnail() == ThumbnailState.EXTRACTING;
        boolean compress = stored.compression() != null && stored.compression().status() == CompressionStatus.PENDING;
        if (!thumbnail && !compress) {
            return;
        }
        Uni<Void> work = (thumbnail
                        ? documents.extractThumbnail(
                                metaKey(id),
                                StorageLayout.compositionFinal(id),
                                StorageLayout.compositionThumbnail(id),
                                CompositionMetadata::thumbnail,
                                CompositionMetadata::withThumbnail,
                                "thumbnail of " + id,
                                MEDIA_FAILED)
                        : Uni.createFrom().voidItem())
                .chain(() -> compress
                        ? compress(id, stored.finalVideo(), storedEtag)
                        : Uni.createFrom().voidItem());
        ArtifactDocuments.background(work, "background work on " + id);
    }

    /**
     * Re-encodes the final into a local temp file and, when smaller, publishes it over the original in one atomic
     * write conditioned on the original's ETag ({@code originalEtag}, answered when it was stored): a newer final that
     * arrived meanwhile, through any replica, is never replaced (its own job decides), and the metadata records the
     * compression only while it still describes the original.
     */
    private Uni<Void> compress(CompositionId id, StoredArtifact original, String originalEtag) {
        ObjectKey finalKey = StorageLayout.compositionFinal(id);
        return Uni.createFrom()
                .deferred(() -> media.compress(documents.processingUrl(finalKey)))
                .chain(out -> publish(id, original, originalEtag, out).eventually(() -> deleteQuietly(out)))
                .onFailure()
                .recoverWithUni(e -> whileFinal(
                        id,
                        original,
                        meta -> meta.compression() != null && meta.compression().status() == CompressionStatus.PENDING
                                ? meta.withCompression(
                                        meta.finalVideo(),
                                        new CompositionMetadata.Compression(
                                                CompressionStatus.FAILED,
                                                original.sizeBytes(),
                                                null,
                                                ArtifactDocuments.mediaError(e, MEDIA_FAILED)))
                                : meta));
    }

    private Uni<Void> publish(CompositionId id, StoredArtifact original, String originalEtag, Path out) {
        long compressed = size(out);
        if (compressed >= original.sizeBytes()) {
            return whileFinal(
                    id,
                    original,
                    meta -> meta.withCompression(
                            original,
                            new CompositionMetadata.Compression(
                                    CompressionStatus.KEPT_ORIGINAL, original.sizeBytes(), compressed, null)));
        }
        return store.putIf(
                        StorageLayout.compositionFinal(id),
                        Optional.of(originalEtag),
                        FileBody.read(out),
                        OptionalLong.of(compressed),
                        FileType.MP4.mediaType())
                .chain(put -> whileFinal(
                        id,
                        original,
                        meta -> meta.withCompression(
                                StoredArtifact.of(put),
                                new CompositionMetadata.Compression(
                                        CompressionStatus.COMPRESSED, original.sizeBytes(), compressed, null))))
                .onFailure(PreconditionFailedException.class)
                .recoverWithUni(superseded -> {
                    LOG.infof(
                            "the compressed final of %s was not published: a newer final replaced the original meanwhile",
                            id);
                    return Uni.createFrom().voidItem();
                });
    }

    /** Records a compression's outcome only while the metadata still describes {@code original} as the final. */
    private Uni<Void> whileFinal(
            CompositionId id, StoredArtifact original, UnaryOperator<CompositionMetadata> outcome) {
        return documents
                .update(
                        metaKey(id),
                        meta -> Uni.createFrom().item(describes(meta, original) ? outcome.apply(meta) : meta))
                .replaceWithVoid();
    }

    /** Whether the metadata still describes {@code original} as the final (no newer final was recorded). */
    private static boolean describes(CompositionMetadata meta, StoredArtifact original) {
        return meta.finalVideo() != null
                && original.sha256().equals(meta.finalVideo().sha256());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("could not delete the temp file %s: %s", file, e.getMessage());
        }
    }
}
