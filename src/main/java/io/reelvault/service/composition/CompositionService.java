package io.reelvault.service.composition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.cluster.DocumentLeases;
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
import io.reelvault.service.Failures;
import io.reelvault.service.FileBody;
import io.reelvault.service.SignedUrlService;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.artifact.Batches;
import io.reelvault.service.artifact.KeyedSerializer;
import io.reelvault.service.artifact.MetadataPage;
import io.reelvault.service.artifact.MetadataQuery;
import io.reelvault.service.artifact.MetadataStore;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.generation.ClipRecord;
import io.reelvault.service.generation.GenerationService;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PreconditionFailedException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
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

    private final ObjectStore store;
    private final MetadataStore metadata;
    private final ObjectMapper json;
    private final GenerationService generations;
    private final SignedUrlService urls;
    private final ArtifactWriter writer;
    private final MediaTools media;
    private final Clock clock;
    private final ReelvaultConfig.Pipeline config;
    private final ReelvaultConfig.Query queryCaps;
    private final KeyedSerializer serial = new KeyedSerializer();

    public CompositionService(
            ObjectStore store,
            ObjectMapper json,
            GenerationService generations,
            SignedUrlService urls,
            ArtifactWriter writer,
            MediaTools media,
            Clock clock,
            ReelvaultConfig config,
            DocumentLeases leases) {
        this.store = store;
        this.metadata = new MetadataStore(store, json, leases);
        this.json = json;
        this.generations = generations;
        this.urls = urls;
        this.writer = writer;
        this.media = media;
        this.clock = clock;
        this.config = config.pipeline();
        this.queryCaps = config.query();
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
                CompositionMetadata.PENDING,
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
                .chain(() -> metadata.write(StorageLayout.compositionMetadata(id), meta))
                .replaceWith(meta);
    }

    /** The composition's metadata: {@code not_found}, or {@code expired} past its retention. */
    public Uni<CompositionMetadata> get(CompositionId id) {
        return metadata.read(StorageLayout.compositionMetadata(id), CompositionMetadata.class)
                .onFailure(Failures::isNotFound)
                .transform(e -> ReelvaultException.notFound("composition"))
                .invoke(meta -> Failures.requireLive("composition", meta.expiresAt(), clock));
    }

    /**
     * Compositions in id (creation) order, filtered by status, creation time, user and generation, read
     * from their metadata (see {@link MetadataQuery}). Expired compositions are never listed.
     */
    public Uni<MetadataPage<CompositionMetadata>> list(
            Optional<String> status,
            Optional<Instant> since,
            Optional<UserId> user,
            Optional<GenerationId> generation,
            Optional<CompositionId> after,
            int limit) {
        status.ifPresent(s -> {
            if (!s.equals(CompositionMetadata.PENDING) && !s.equals(CompositionMetadata.RENDERED)) {
                throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "status must be pending or rendered");
            }
        });
        return MetadataQuery.run(
                store,
                queryCaps,
                Area.COMPOSITIONS,
                CompositionId.PREFIX,
                key -> Failures.readIfLive(metadata.read(key, CompositionMetadata.class), m -> m.expiresAt(), clock),
                CompositionMetadata::compositionId,
                m -> status.map(m.status()::equals).orElse(true)
                        && since.map(t -> !m.createdAt().isBefore(t)).orElse(true)
                        && user.map(u -> u.value().equals(m.userId())).orElse(true)
                        && generation
                                .map(g -> g.value().equals(m.generationId()))
                                .orElse(true),
                since,
                after.map(CompositionId::value),
                limit);
    }

    /** Whether a final PUT without {@code ?compress=} is compressed. */
    public boolean compressByDefault() {
        return config.compress();
    }

    /**
     * Streams the final render in (MP4 by content), records it, and starts the background work: a
     * thumbnail when none was uploaded, then compression when asked for.
     */
    public Uni<CompositionMetadata> putFinal(
            CompositionId id, boolean compress, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.compositionFinal(id);
        return writer.write(key, FileType.MP4, length, body)
                .chain(stored -> update(
                                id,
                                key,
                                meta -> store.head(StorageLayout.compositionThumbnail(id))
                                        .map(thumb -> {
                                            // the pipeline's own thumbnail stays: sent before the first final, or
                                            // uploaded since
                                            boolean uploaded = thumb.isPresent()
                                                    && (CompositionMetadata.PENDING.equals(meta.status())
                                                            || ClipRecord.UPLOADED.equals(meta.thumbnail()));
                                            String state = uploaded
                                                    ? ClipRecord.UPLOADED
                                                    : media.available()
                                                            ? ClipRecord.EXTRACTING
                                                            : ClipRecord.UNAVAILABLE;
                                            CompositionMetadata.Compression compression = !compress
                                                    ? null
                                                    : new CompositionMetadata.Compression(
                                                            media.available()
                                                                    ? CompositionMetadata.Compression.PENDING
                                                                    : CompositionMetadata.Compression.UNAVAILABLE,
                                                            stored.info().size(),
                                                            null,
                                                            null);
                                            return meta.withFinal(
                                                    StoredArtifact.of(stored),
                                                    clock.instant().truncatedTo(ChronoUnit.MILLIS),
                                                    state,
                                                    compression);
                                        }))
                        .invoke(meta -> process(id, meta, stored.info().etag())));
    }

    /** Streams the pipeline's own thumbnail in (JPEG by content). */
    public Uni<StoredArtifact> putThumbnail(CompositionId id, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.compositionThumbnail(id);
        return writer.write(key, FileType.JPEG, length, body)
                .chain(stored -> update(
                                id, key, meta -> Uni.createFrom().item(meta.withThumbnail(ClipRecord.UPLOADED, null)))
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
                    SignedUrlView url = urls.sign(
                            UrlPurpose.DOWNLOAD,
                            StorageLayout.compositionFinal(id),
                            Map.of("Content-Disposition", ContentDisposition.attachment(filename)),
                            meta.expiresAt());
                    return new Download(url.url(), url.expiresIn(), filename);
                }));
    }

    /** Deletes the composition: metadata first, then every object under it. */
    public Uni<Void> delete(CompositionId id) {
        return get(id).chain(() -> store.delete(StorageLayout.compositionMetadata(id)))
                .chain(() -> Batches.deleteAll(store, StorageLayout.composition(id)));
    }

    /**
     * Read-modify-write of the metadata: serialised per composition within this replica, and without lost updates
     * across replicas ({@link MetadataStore#update}); {@code change} may run more than once. A rejected change removes
     * {@code written}.
     */
    private Uni<CompositionMetadata> update(
            CompositionId id, ObjectKey written, Function<CompositionMetadata, Uni<CompositionMetadata>> change) {
        ObjectKey metaKey = StorageLayout.compositionMetadata(id);
        return serial.run(
                        metaKey.value(),
                        () -> metadata.update(metaKey, CompositionMetadata.class, "composition", meta -> {
                            Failures.requireLive("composition", meta.expiresAt(), clock);
                            return change.apply(meta);
                        }))
                .onFailure()
                .call(e -> written != null && Failures.isClientError(e)
                        ? store.delete(written)
                        : Uni.createFrom().voidItem());
    }

    /** Background work after a final arrived: the thumbnail first, then compression (they never overlap on one file). */
    private void process(CompositionId id, CompositionMetadata stored, String storedEtag) {
        boolean thumbnail = ClipRecord.EXTRACTING.equals(stored.thumbnail());
        boolean compress = stored.compression() != null
                && CompositionMetadata.Compression.PENDING.equals(
                        stored.compression().status());
        if (!thumbnail && !compress) {
            return;
        }
        Uni<Void> work = (thumbnail ? extractThumbnail(id) : Uni.createFrom().voidItem())
                .chain(() -> compress
                        ? compress(id, stored.finalVideo(), storedEtag)
                        : Uni.createFrom().voidItem());
        work.subscribe().with(ok -> {}, e -> LOG.warnf("background work on %s not recorded: %s", id, e.toString()));
    }

    private Uni<Void> extractThumbnail(CompositionId id) {
        ObjectKey thumbKey = StorageLayout.compositionThumbnail(id);
        return Uni.createFrom()
                .deferred(() -> media.thumbnail(
                        urls.sign(UrlPurpose.PROCESSING, StorageLayout.compositionFinal(id), Map.of())
                                .url(),
                        config.thumbnailWidth()))
                .chain(jpeg -> update(
                        id,
                        null,
                        meta -> !ClipRecord.EXTRACTING.equals(meta.thumbnail())
                                ? Uni.createFrom().item(meta) // the pipeline sent one meanwhile
                                : store.put(
                                                thumbKey,
                                                Multi.createFrom().item(ByteBuffer.wrap(jpeg)),
                                                OptionalLong.of(jpeg.length),
                                                FileType.JPEG.mediaType())
                                        .replaceWith(meta.withThumbnail(ClipRecord.EXTRACTED, null))))
                .onFailure()
                .recoverWithUni(e -> update(
                        id,
                        null,
                        meta -> Uni.createFrom()
                                .item(
                                        ClipRecord.EXTRACTING.equals(meta.thumbnail())
                                                ? meta.withThumbnail(ClipRecord.FAILED, safeMessage(e))
                                                : meta)))
                .replaceWithVoid();
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
                .deferred(() -> media.compress(
                        urls.sign(UrlPurpose.PROCESSING, finalKey, Map.of()).url()))
                .chain(out -> publish(id, original, originalEtag, out).eventually(() -> deleteQuietly(out)))
                .onFailure()
                .recoverWithUni(e -> update(
                                id,
                                null,
                                meta -> Uni.createFrom()
                                        .item(
                                                describes(meta, original)
                                                                && meta.compression() != null
                                                                && CompositionMetadata.Compression.PENDING.equals(
                                                                        meta.compression()
                                                                                .status())
                                                        ? meta.withCompression(
                                                                meta.finalVideo(),
                                                                new CompositionMetadata.Compression(
                                                                        CompositionMetadata.Compression.FAILED,
                                                                        original.sizeBytes(),
                                                                        null,
                                                                        safeMessage(e)))
                                                        : meta))
                        .replaceWithVoid())
                .replaceWithVoid();
    }

    private Uni<Void> publish(CompositionId id, StoredArtifact original, String originalEtag, Path out) {
        long compressed = size(out);
        if (compressed >= original.sizeBytes()) {
            return update(
                            id,
                            null,
                            meta -> Uni.createFrom()
                                    .item(
                                            !describes(meta, original)
                                                    ? meta
                                                    : meta.withCompression(
                                                            original,
                                                            new CompositionMetadata.Compression(
                                                                    CompositionMetadata.Compression.KEPT_ORIGINAL,
                                                                    original.sizeBytes(),
                                                                    compressed,
                                                                    null))))
                    .replaceWithVoid();
        }
        return store.putIf(
                        StorageLayout.compositionFinal(id),
                        Optional.of(originalEtag),
                        FileBody.read(out),
                        OptionalLong.of(compressed),
                        FileType.MP4.mediaType())
                .chain(put -> update(
                        id,
                        null,
                        meta -> Uni.createFrom()
                                .item(
                                        !describes(meta, original)
                                                ? meta
                                                : meta.withCompression(
                                                        StoredArtifact.of(put),
                                                        new CompositionMetadata.Compression(
                                                                CompositionMetadata.Compression.COMPRESSED,
                                                                original.sizeBytes(),
                                                                compressed,
                                                                null)))))
                .replaceWithVoid()
                .onFailure(PreconditionFailedException.class)
                .recoverWithUni(superseded -> {
                    LOG.infof(
                            "the compressed final of %s was not published: a newer final replaced the original meanwhile",
                            id);
                    return Uni.createFrom().voidItem();
                });
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
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("could not delete the temp file %s: %s", file, e.getMessage());
        }
    }

    private static String safeMessage(Throwable e) {
        return e instanceof io.reelvault.media.MediaException ? e.getMessage() : "media processing failed";
    }
}
