package io.reelvault.service.artifact;

import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ReelvaultException;
import io.reelvault.media.MediaException;
import io.reelvault.media.MediaTools;
import io.reelvault.model.Area;
import io.reelvault.model.FileType;
import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.UrlPurpose;
import io.reelvault.model.UserId;
import io.reelvault.service.Failures;
import io.reelvault.service.SignedUrlService;
import io.reelvault.service.SignedUrlView;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The workflow shared by generations and compositions around their {@code metadata.json} documents: reads that
 * answer {@code expired} past the retention, locked read-modify-write updates, background media jobs that record
 * their outcome, delete-then-batches, filtered listings, and the signed URLs of views. One instance per kind of
 * artifact (from {@link ArtifactWorkflow#documents}); the feature services add only what is theirs.
 */
public final class ArtifactDocuments<T extends ArtifactDocument> {
    private static final Logger LOG = Logger.getLogger(ArtifactDocuments.class);

    private final ObjectStore store;
    private final MetadataStore metadata;
    private final Clock clock;
    private final SignedUrlService urls;
    private final MediaTools media;
    private final int thumbnailWidth;
    private final ReelvaultConfig.Query queryCaps;
    private final ArtifactWriter writer;
    private final Class<T> type;
    private final String what;
    private final Area area;
    private final String idPrefix;
    private final Function<T, String> idOf;
    private final KeyedSerializer serial = new KeyedSerializer();

    ArtifactDocuments(
            ArtifactWorkflow workflow,
            Class<T> type,
            String what,
            Area area,
            String idPrefix,
            Function<T, String> idOf) {
        this.store = workflow.store;
        this.metadata = workflow.metadata;
        this.clock = workflow.clock;
        this.urls = workflow.urls;
        this.media = workflow.media;
        this.thumbnailWidth = workflow.thumbnailWidth;
        this.queryCaps = workflow.queryCaps;
        this.writer = workflow.writer;
        this.type = type;
        this.what = what;
        this.area = area;
        this.idPrefix = idPrefix;
        this.idOf = idOf;
    }

    /** Streams an artifact's body into {@code key} with {@link ArtifactWriter}'s checks. */
    public Uni<PutResult> write(ObjectKey key, FileType expected, OptionalLong length, Multi<ByteBuffer> body) {
        return writer.write(key, expected, length, body);
    }

    /** Writes a new document (its id was just made: nothing can be there yet). */
    public Uni<Void> create(ObjectKey key, T document) {
        return metadata.write(key, document);
    }

    /** The document: {@code not_found} when there is none, {@code expired} past its retention. */
    public Uni<T> read(ObjectKey key) {
        return metadata.read(key, type)
                .onFailure(Failures::isNotFound)
                .transform(e -> ReelvaultException.notFound(what))
                .invoke(doc -> Failures.requireLive(what, doc.expiresAt(), clock));
    }

    /** The document while it is there and unexpired; empty otherwise. */
    public Uni<Optional<T>> readIfLive(ObjectKey key) {
        return Failures.readIfLive(metadata.read(key, type), ArtifactDocument::expiresAt, clock);
    }

    /**
     * Read-modify-write of the document: serialised per document within this replica ({@link KeyedSerializer}), and
     * without lost updates across replicas ({@link MetadataStore#update}: conditional writes, and Redis leases on S3).
     * {@code change} may run more than once. {@code not_found} / {@code expired} as {@link #read}.
     */
    public Uni<T> update(ObjectKey key, Function<T, Uni<T>> change) {
        return serial.run(
                key.value(),
                () -> metadata.update(key, type, what, doc -> {
                    Failures.requireLive(what, doc.expiresAt(), clock);
                    return change.apply(doc);
                }));
    }

    /**
     * {@link #update} recording the artifact just stored at {@code written}: when the update is refused (a client
     * error: the document is gone, expired, or no longer takes artifacts), the artifact is removed again.
     */
    public Uni<T> updateFor(ObjectKey key, ObjectKey written, Function<T, Uni<T>> change) {
        return update(key, change)
                .onFailure()
                .call(e -> Failures.isClientError(e)
                        ? store.delete(written)
                        : Uni.createFrom().voidItem());
    }

    /**
     * Deletes the document first (the artifact is gone for readers at once), then {@code afterDocument} with what it
     * said, then every object under {@code folder}, in batches. {@code not_found} / {@code expired} as {@link #read}.
     */
    public Uni<Void> delete(ObjectKey key, KeyPrefix folder, Function<T, Uni<Void>> afterDocument) {
        return read(key)
                .call(() -> store.delete(key))
                .call(doc -> afterDocument.apply(doc))
                .chain(() -> Batches.deleteAll(store, folder));
    }

    /**
     * The documents of the area in id (creation) order, filtered by status, creation time and user, and by
     * {@code more}: see {@link MetadataQuery} for what a page costs. Expired ones are never listed.
     */
    public Uni<MetadataPage<T>> list(
            Optional<? extends Enum<?>> status,
            Optional<Instant> since,
            Optional<UserId> user,
            Predicate<T> more,
            Optional<String> after,
            int limit) {
        return MetadataQuery.run(
                store,
                queryCaps,
                area,
                idPrefix,
                this::readIfLive,
                idOf,
                doc -> status.map(s -> s == doc.status()).orElse(true)
                        && since.map(t -> !doc.createdAt().isBefore(t)).orElse(true)
                        && user.map(u -> u.value().equals(doc.userId())).orElse(true)
                        && more.test(doc),
                since,
                after,
                limit);
    }

    /** A signed URL of one of the document's objects, never valid past the document's expiry. */
    public SignedUrlView sign(UrlPurpose purpose, ObjectKey key, Map<String, String> headers, T document) {
        return urls.sign(purpose, key, headers, document.expiresAt());
    }

    /** The URL ffmpeg and ffprobe read {@code key} by. */
    public String processingUrl(ObjectKey key) {
        return urls.sign(UrlPurpose.PROCESSING, key, Map.of()).url();
    }

    /** The thumbnail state of a newly stored clip or render ({@link ThumbnailState#of}). */
    public ThumbnailState newThumbnail(boolean uploaded) {
        return ThumbnailState.of(uploaded, media.available());
    }

    /**
     * Makes the thumbnail of {@code source} with ffmpeg and stores it at {@code target}; the outcome goes to the
     * document at {@code key} ({@code extracted}, or {@code failed} with ffmpeg's reason or {@code fallbackError}),
     * only while its thumbnail ({@code state}) still waits for it: a thumbnail the pipeline sent meanwhile wins.
     *
     * @param job names the job in log lines, e.g. {@code thumbnail of gen_... clip 3}
     */
    public Uni<Void> extractThumbnail(
            ObjectKey key,
            ObjectKey source,
            ObjectKey target,
            Function<T, ThumbnailState> state,
            ThumbnailSlot<T> slot,
            String job,
            String fallbackError) {
        return Uni.createFrom()
                .deferred(() -> media.thumbnail(processingUrl(source), thumbnailWidth))
                .chain(jpeg -> whileExtracting(
                        key,
                        state,
                        doc -> store.put(
                                        target,
                                        Multi.createFrom().item(ByteBuffer.wrap(jpeg)),
                                        OptionalLong.of(jpeg.length),
                                        FileType.JPEG.mediaType())
                                .replaceWith(slot.record(doc, ThumbnailState.EXTRACTED, null))))
                .onFailure()
                .recoverWithUni(e -> {
                    String why = mediaError(e, fallbackError);
                    LOG.infof("%s failed: %s", job, why);
                    return whileExtracting(
                            key, state, doc -> Uni.createFrom().item(slot.record(doc, ThumbnailState.FAILED, why)));
                });
    }

    private Uni<Void> whileExtracting(ObjectKey key, Function<T, ThumbnailState> state, Function<T, Uni<T>> outcome) {
        return update(
                        key,
                        doc -> state.apply(doc) == ThumbnailState.EXTRACTING
                                ? outcome.apply(doc)
                                : Uni.createFrom().item(doc))
                .replaceWithVoid();
    }

    /** Runs media work off the request path; a failure to record its outcome is logged, never thrown. */
    public static void background(Uni<Void> work, String job) {
        work.subscribe().with(ok -> {}, e -> LOG.warnf("%s not recorded: %s", job, e.toString()));
    }

    /** What a media job's failure tells the client: ffmpeg's own reason, else {@code fallback}. */
    public static String mediaError(Throwable e, String fallback) {
        return e instanceof MediaException ? e.getMessage() : fallback;
    }
}
