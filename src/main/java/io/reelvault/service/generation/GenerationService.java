package io.reelvault.service.generation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.ClientProxy;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.media.MediaTools;
import io.reelvault.model.Area;
import io.reelvault.model.ClipNumber;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.model.StorageLayout.ClipKey;
import io.reelvault.model.UrlPurpose;
import io.reelvault.model.UserId;
import io.reelvault.service.Digests;
import io.reelvault.service.Failures;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.artifact.ArtifactDocuments;
import io.reelvault.service.artifact.ArtifactWorkflow;
import io.reelvault.service.artifact.MetadataPage;
import io.reelvault.service.artifact.Statuses;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.artifact.ThumbnailState;
import io.reelvault.storage.ObjectInfo;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.PutResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The pipeline's generations: {@code metadata.json} first, then clips, thumbnails and audio streamed
 * in, then {@code complete}. A clip stored without a thumbnail gets one made by ffmpeg in the
 * background (never failing the clip). Every read checks the generation's expiry (30 days, rounded
 * up to 00:00 UTC): an expired generation answers {@code expired} even before its objects are deleted.
 * The metadata workflow itself (reads, locked updates, media jobs, deletion, listing) is {@link ArtifactDocuments}.
 */
@ApplicationScoped
public class GenerationService {
    private static final Logger LOG = Logger.getLogger(GenerationService.class);
    static final int MAX_PROMPT_CHARS = 4000;
    static final int MAX_PARAMETERS_BYTES = 64 * 1024;
    private static final String NO_CLIPS =
            "the generation has no clips yet: PUT at least one clip before completing it";

    private final ObjectStore store;
    private final ArtifactDocuments<GenerationMetadata> documents;
    private final ObjectMapper json;
    private final MediaTools media;
    private final Clock clock;
    private final GenerationReuse reuse;

    public GenerationService(ArtifactWorkflow workflow, ObjectMapper json, MediaTools media, GenerationReuse reuse) {
        // made now, on the thread of this service's first caller, and not by the first complete: that one may run on a
        // thread started from the S3 client's native threads, which has no context class loader, and the reuse's
        // cache producer could not be loaded there (ClassNotFoundException, 500 on a replica's first complete)
        this.reuse = ClientProxy.unwrap(reuse);
        this.store = workflow.store();
        this.clock = workflow.clock();
        this.documents = workflow.documents(
                GenerationMetadata.class,
                "generation",
                Area.GENERATIONS,
                GenerationId.PREFIX,
                GenerationMetadata::generationId);
        this.json = json;
        this.media = media;
    }

    /**
     * Answers a generation request. Unless {@code allowReuse} is false, the similar-generation cache is
     * consulted first: a finished, unexpired generation with the same parameters and the same or a
     * nearly identical prompt is answered instead of a new one; while an identical request's generation
     * is pending, that one is answered (single flight). Otherwise a new pending generation is recorded.
     * The cache being down only means a new generation.
     */
    public Uni<GenerationCreated> create(UserId user, String prompt, JsonNode parameters, boolean allowReuse) {
        JsonNode params = checkRequest(prompt, parameters);
        GenerationReuse.RequestKey key = reuse.key(user, prompt, params);
        if (!allowReuse) {
            return start(user, prompt, params, key, false);
        }
        return reuse.find(key, this::readIfLive)
                .chain(found -> found.isPresent()
                        ? Uni.createFrom()
                                .item(answer(
                                        found.get().generation(), found.get().similarity()))
                        : start(user, prompt, params, key, true));
    }

    private Uni<GenerationCreated> start(
            UserId user, String prompt, JsonNode params, GenerationReuse.RequestKey key, boolean singleFlight) {
        GenerationId id = GenerationId.generate(clock);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant expires = Area.GENERATIONS.expiresAt(now).orElseThrow();
        GenerationMetadata meta = new GenerationMetadata(
                id.value(),
                user.value(),
                prompt,
                params,
                GenerationStatus.PENDING,
                now,
                expires,
                null,
                List.of(),
                null,
                key.fingerprint(),
                key.promptKey(),
                null);
        Uni<Optional<GenerationId>> holder =
                singleFlight ? reuse.claim(key, id) : Uni.createFrom().item(Optional.empty());
        return holder.chain(pending -> {
            if (pending.isPresent()) {
                return readIfLive(pending.get())
                        .map(other -> other.map(o -> answer(o, null))
                                // the holder's metadata is not written yet (it claimed a moment ago): it is pending
                                .orElse(new GenerationCreated(
                                        pending.get().value(), GenerationStatus.PENDING, true, null, null, null)));
            }
            return documents
                    .create(StorageLayout.generationMetadata(id), meta)
                    .onFailure()
                    .call(() -> reuse.release(meta))
                    .replaceWith(new GenerationCreated(id.value(), meta.status(), false, null, now, expires));
        });
    }

    private static GenerationCreated answer(GenerationMetadata existing, Double similarity) {
        return new GenerationCreated(
                existing.generationId(),
                existing.status(),
                true,
                existing.completed() ? similarity == null ? 1.0 : similarity : null,
                existing.createdAt(),
                existing.expiresAt());
    }

    private Uni<Optional<GenerationMetadata>> readIfLive(GenerationId id) {
        return documents.readIfLive(StorageLayout.generationMetadata(id));
    }

    private JsonNode checkRequest(String prompt, JsonNode parameters) {
        if (prompt == null || prompt.isBlank()) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "prompt is required");
        }
        if (prompt.length() > MAX_PROMPT_CHARS) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "prompt is longer than " + MAX_PROMPT_CHARS + " characters");
        }
        if (parameters == null || parameters.isNull()) {
            return json.createObjectNode();
        }
        if (!parameters.isObject()) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "parameters must be a JSON object");
        }
        try {
            if (json.writeValueAsBytes(parameters).length > MAX_PARAMETERS_BYTES) {
                throw new ReelvaultException(
                        ErrorCode.INVALID_REQUEST, "parameters are larger than " + MAX_PARAMETERS_BYTES + " bytes");
            }
        } catch (JsonProcessingException e) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "parameters are not serialisable");
        }
        return parameters;
    }

    /** The generation's metadata: {@code not_found} when there is none, {@code expired} past its retention. */
    public Uni<GenerationMetadata> read(GenerationId id) {
        return documents.read(StorageLayout.generationMetadata(id));
    }

    /** Checked before an artifact's body is accepted: the generation exists, is unexpired and still pending. */
    public Uni<GenerationMetadata> openForArtifacts(GenerationId id) {
        return read(id).invoke(GenerationService::requirePending);
    }

    private static void requirePending(GenerationMetadata meta) {
        if (meta.status() != GenerationStatus.PENDING) {
            throw new ReelvaultException(
                    ErrorCode.CONFLICT,
                    "the generation is " + meta.status().value() + "; its artifacts can no longer change");
        }
    }

    /**
     * Streams clip {@code n} in (MP4 by content), records its size and SHA-256, and, unless the pipeline
     * sent its thumbnail, starts extracting one in the background. Writers racing on one clip: the last object
     * stored wins, and only its writer records it ({@link #stillStored}); a writer whose object was already replaced
     * answers its own record and leaves the metadata to the winner.
     */
    public Uni<ClipRecord> putClip(GenerationId id, ClipNumber n, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.clip(id, n);
        ObjectKey thumbnail = StorageLayout.clipThumbnail(id, n);
        AtomicBoolean firstVersion = new AtomicBoolean(); // of the attempt that wrote the metadata (the last one)
        return documents
                .write(key, FileType.MP4, length, body)
                .chain(stored -> updatePending(
                                id,
                                key,
                                meta -> recorded(meta.clip(n.value()), stored),
                                meta -> stillStored(key, stored)
                                        .chain(ours -> !ours
                                                ? Uni.createFrom().item(meta)
                                                : store.head(thumbnail).map(found -> {
                                                    ClipRecord previous = meta.clip(n.value());
                                                    firstVersion.set(previous == null);
                                                    boolean uploaded = found.isPresent()
                                                            && (previous == null
                                                                    || previous.thumbnail() == ThumbnailState.UPLOADED);
                                                    return meta.withClip(new ClipRecord(
                                                            n.value(),
                                                            key.value(),
                                                            stored.info().size(),
                                                            stored.sha256(),
                                                            null,
                                                            documents.newThumbnail(uploaded),
                                                            null));
                                                })))
                        .map(meta -> {
                            ClipRecord now = meta.clip(n.value());
                            return recorded(now, stored)
                                    ? now
                                    : new ClipRecord(
                                            n.value(),
                                            key.value(),
                                            stored.info().size(),
                                            stored.sha256(),
                                            null,
                                            now == null ? null : now.thumbnail(),
                                            null);
                        })
                        .call(clip -> firstVersion.get()
                                        && recorded(clip, stored)
                                        && clip.thumbnail() != ThumbnailState.UPLOADED
                                ? store.head(thumbnail)
                                        .chain(found -> found.isEmpty()
                                                ? Uni.createFrom().voidItem()
                                                : documents
                                                        .update(
                                                                StorageLayout.generationMetadata(id),
                                                                meta -> meta.status() == GenerationStatus.PENDING
                                                                        ? thumbnailUploaded(meta, n)
                                                                        : Uni.createFrom()
                                                                                .item(meta))
                                                        .replaceWithVoid()
                                                        // best effort: the clip is stored and recorded either way
                                                        .onFailure()
                                                        .invoke(e -> LOG.debugf(
                                                                "clip %d's thumbnail not recorded: %s", n.value(), e))
                                                        .onFailure()
                                                        .recoverWithNull())
                                : Uni.createFrom().voidItem())
                        .invoke(clip -> {
                            if (recorded(clip, stored) && clip.thumbnail() == ThumbnailState.EXTRACTING) {
                                extractThumbnail(id, n);
                            }
                        }));
    }

    /**
     * Records the pipeline's thumbnail of clip {@code n} as uploaded, when the clip is recorded. Called by the
     * thumbnail's PUT, and by a first clip PUT that recorded the clip without it but finds it stored afterwards: the
     * thumbnail's own update may have run between the clip update's look for the thumbnail and its write, found no
     * clip and changed nothing (so no compare-and-swap saw it); the clip's second look, after its write, cannot miss it.
     */
    private static Uni<GenerationMetadata> thumbnailUploaded(GenerationMetadata meta, ClipNumber n) {
        ClipRecord clip = meta.clip(n.value());
        return Uni.createFrom()
                .item(
                        clip == null || clip.thumbnail() == ThumbnailState.UPLOADED
                                ? meta
                                : meta.withClip(clip.withThumbnail(ThumbnailState.UPLOADED, null)));
    }

    /**
     * Whether {@code key} still holds the very object {@code stored} (its ETag): false once a racing writer, on this
     * replica or another, replaced it. Asked inside the metadata update, so the update that records an artifact
     * always names the bytes stored at that moment; the winner's own update, which comes after its write, records it.
     */
    private Uni<Boolean> stillStored(ObjectKey key, PutResult stored) {
        return store.head(key)
                .map(found -> found.isPresent()
                        && found.get().etag().equals(stored.info().etag()));
    }

    /** Streams the pipeline's own thumbnail of clip {@code n} in (JPEG by content). */
    public Uni<StoredArtifact> putThumbnail(
            GenerationId id, ClipNumber n, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.clipThumbnail(id, n);
        return documents
                .write(key, FileType.JPEG, length, body)
                .chain(stored -> updatePending(
                                id,
                                key,
                                meta -> meta.clip(n.value()) != null
                                        && meta.clip(n.value()).thumbnail() == ThumbnailState.UPLOADED,
                                meta -> thumbnailUploaded(meta, n))
                        .replaceWith(StoredArtifact.of(stored)));
    }

    /** Streams the background audio in (MP3 by content). */
    public Uni<StoredArtifact> putAudio(GenerationId id, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.generationAudio(id);
        return documents
                .write(key, FileType.MP3, length, body)
                .chain(stored -> updatePending(
                                id,
                                key,
                                meta -> meta.audio() != null
                                        && stored.sha256().equals(meta.audio().sha256()),
                                meta -> stillStored(key, stored)
                                        .map(ours -> ours ? meta.withAudio(StoredArtifact.of(stored)) : meta))
                        .replaceWith(StoredArtifact.of(stored)));
    }

    /** Whether the clip recorded is the very object {@code stored}. */
    private static boolean recorded(ClipRecord clip, PutResult stored) {
        return clip != null
                && stored.sha256().equals(clip.sha256())
                && stored.info().size() == clip.sizeBytes();
    }

    /**
     * Read-modify-write of the metadata of a pending generation ({@link ArtifactDocuments#updateFor}). When the
     * generation was completed, deleted or expired while {@code written} streamed in, the artifact is removed again and
     * the request fails: a completed generation never changes. Except when a {@code complete} (on any replica) that ran
     * while the artifact's metadata update waited already took it in ({@code alreadyIn}): then the artifact is part of
     * the completed generation and the request succeeds, the metadata as completed.
     */
    private Uni<GenerationMetadata> updatePending(
            GenerationId id,
            ObjectKey written,
            Predicate<GenerationMetadata> alreadyIn,
            Function<GenerationMetadata, Uni<GenerationMetadata>> change) {
        return documents.updateFor(StorageLayout.generationMetadata(id), written, meta -> {
            if (meta.completed() && alreadyIn.test(meta)) {
                return Uni.createFrom().item(meta);
            }
            requirePending(meta);
            return change.apply(meta);
        });
    }

    /** Makes clip {@code n}'s thumbnail with ffmpeg, off the request path; the outcome goes to the metadata. */
    private void extractThumbnail(GenerationId id, ClipNumber n) {
        String job = "thumbnail of " + id + " clip " + n.value();
        ArtifactDocuments.background(
                documents.extractThumbnail(
                        StorageLayout.generationMetadata(id),
                        StorageLayout.clip(id, n),
                        StorageLayout.clipThumbnail(id, n),
                        meta -> meta.clip(n.value()) == null
                                ? null
                                : meta.clip(n.value()).thumbnail(),
                        (meta, state, error) ->
                                meta.withClip(meta.clip(n.value()).withThumbnail(state, error)),
                        job,
                        "thumbnail extraction failed"),
                job);
    }

    /**
     * Marks the generation completed. Its clips are reconciled with what is stored: each stored clip is
     * recorded with size and SHA-256 (read back when no record of this exact object exists) and its
     * duration (ffprobe over a signed URL; null when ffprobe is off or fails). Completing again answers
     * the same generation. {@code conflict} when no clip was stored.
     */
    public Uni<GenerationView> complete(GenerationId id) {
        AtomicReference<List<ObjectInfo>> listed = new AtomicReference<>();
        AtomicBoolean completedHere = new AtomicBoolean();
        return documents
                .update(
                        StorageLayout.generationMetadata(id),
                        meta -> objects(id).chain(objects -> {
                            listed.set(objects);
                            completedHere.set(false);
                            if (meta.completed()) {
                                return Uni.createFrom().item(meta);
                            }
                            requirePending(meta);
                            List<ObjectInfo> clips = objects.stream()
                                    .filter(o ->
                                            StorageLayout.parseClip(o.key()).isPresent())
                                    .toList();
                            if (clips.isEmpty()) {
                                return Uni.createFrom().failure(new ReelvaultException(ErrorCode.CONFLICT, NO_CLIPS));
                            }
                            return Multi.createFrom()
                                    .iterable(clips)
                                    // a clip removed since the listing (its PUT was refused: another replica completed
                                    // first) is left out
                                    .onItem()
                                    .transformToUniAndConcatenate(clip -> completeClip(meta, clip, objects)
                                            .map(Optional::of)
                                            .onFailure(Failures::isNotFound)
                                            .recoverWithItem(Optional.empty()))
                                    .select()
                                    .where(Optional::isPresent)
                                    .map(Optional::get)
                                    .collect()
                                    .asList()
                                    .map(records -> {
                                        if (records.isEmpty()) {
                                            throw new ReelvaultException(ErrorCode.CONFLICT, NO_CLIPS);
                                        }
                                        completedHere.set(true);
                                        return meta.withClips(records)
                                                .completedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS));
                                    });
                        }))
                .chain(done -> (completedHere.get()
                                ? reuse.completed(done)
                                : Uni.createFrom().voidItem())
                        .map(v -> view(done, listed.get())));
    }

    private Uni<ClipRecord> completeClip(GenerationMetadata meta, ObjectInfo clip, List<ObjectInfo> objects) {
        int n = StorageLayout.parseClip(clip.key()).orElseThrow().clip().value();
        ClipRecord known = meta.clip(n);
        Uni<ClipRecord> recorded = known != null && known.sizeBytes() == clip.size() && known.sha256() != null
                ? Uni.createFrom().item(known)
                : Digests.sha256(store, clip.key())
                        .map(sha -> new ClipRecord(
                                n,
                                clip.key().value(),
                                clip.size(),
                                sha,
                                null,
                                hasThumbnail(objects, n) ? ThumbnailState.UPLOADED : null,
                                null));
        if (!media.available()) {
            return recorded;
        }
        return recorded.chain(record -> Uni.createFrom()
                .deferred(() -> media.probe(documents.processingUrl(clip.key())))
                .map(probe -> record.withDuration(probe.durationSeconds()))
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.infof("ffprobe of %s failed: %s", clip.key(), e.getMessage());
                    return record;
                }));
    }

    /**
     * Generations in id (creation) order, filtered by status, creation time and user, read from their
     * metadata: see {@link ArtifactDocuments#list} for what a page costs. Expired generations are never listed.
     */
    public Uni<MetadataPage<GenerationMetadata>> list(
            Optional<String> status,
            Optional<Instant> since,
            Optional<UserId> user,
            Optional<GenerationId> after,
            int limit) {
        return documents.list(
                status.map(s -> Statuses.parse(GenerationStatus.class, s)),
                since,
                user,
                meta -> true,
                after.map(GenerationId::value),
                limit);
    }

    /** The generation with signed preview URLs for what is stored now. */
    public Uni<GenerationView> get(GenerationId id) {
        return read(id).chain(meta -> objects(id).map(objects -> view(meta, objects)));
    }

    /**
     * Deletes the generation: its metadata first (it is gone for readers at once), then every object
     * under it, in batches. {@code not_found} when there is no such generation.
     */
    public Uni<Void> delete(GenerationId id) {
        return documents.delete(StorageLayout.generationMetadata(id), StorageLayout.generation(id), reuse::removed);
    }

    /**
     * The pipeline gave up on a pending generation: it is marked failed (never reused) and identical
     * requests may start a new one at once. {@code conflict} when it is not pending.
     */
    public Uni<GenerationMetadata> fail(GenerationId id, String reason) {
        String why = reason == null || reason.isBlank()
                ? "failed"
                : reason.length() > 1000 ? reason.substring(0, 1000) : reason;
        return documents
                .update(StorageLayout.generationMetadata(id), meta -> {
                    requirePending(meta);
                    return Uni.createFrom().item(meta.failed(why));
                })
                .call(reuse::removed);
    }

    private Uni<List<ObjectInfo>> objects(GenerationId id) {
        return store.list(StorageLayout.generation(id), Optional.empty())
                .collect()
                .asList();
    }

    private GenerationView view(GenerationMetadata meta, List<ObjectInfo> objects) {
        List<GenerationView.Clip> clips = new ArrayList<>();
        Long expiresIn = null; // seconds the URLs of this answer live (all share the purpose and the cap)
        for (ObjectInfo o : objects) {
            Optional<ClipKey> clip = StorageLayout.parseClip(o.key());
            if (clip.isEmpty()) {
                continue;
            }
            int n = clip.get().clip().value();
            ClipRecord rec = meta.clip(n);
            boolean current = rec != null && rec.sizeBytes() == o.size();
            SignedUrlView preview = preview(o.key(), meta);
            expiresIn = preview.expiresIn();
            String thumbnailUrl = hasThumbnail(objects, n)
                    ? preview(
                                    StorageLayout.clipThumbnail(
                                            clip.get().generation(), clip.get().clip()),
                                    meta)
                            .url()
                    : null;
            clips.add(new GenerationView.Clip(
                    n,
                    o.key().value(),
                    o.size(),
                    current ? rec.sha256() : null,
                    current ? rec.durationSeconds() : null,
                    rec == null ? null : rec.thumbnail(),
                    rec == null ? null : rec.thumbnailError(),
                    preview.url(),
                    thumbnailUrl));
        }
        GenerationView.Audio audio = null;
        ObjectKey audioKey = StorageLayout.generationAudio(GenerationId.parse(meta.generationId()));
        for (ObjectInfo o : objects) {
            if (o.key().equals(audioKey)) {
                boolean current = meta.audio() != null && meta.audio().sizeBytes() == o.size();
                SignedUrlView url = preview(o.key(), meta);
                expiresIn = url.expiresIn();
                audio = new GenerationView.Audio(
                        o.key().value(), o.size(), current ? meta.audio().sha256() : null, url.url());
            }
        }
        return new GenerationView(
                meta.generationId(),
                meta.userId(),
                meta.prompt(),
                meta.parameters(),
                meta.status(),
                meta.createdAt(),
                meta.expiresAt(),
                meta.completedAt(),
                clips,
                audio,
                expiresIn);
    }

    private SignedUrlView preview(ObjectKey key, GenerationMetadata meta) {
        return documents.sign(UrlPurpose.PREVIEW, key, Map.of(), meta);
    }

    private static boolean hasThumbnail(List<ObjectInfo> objects, int n) {
        return objects.stream()
                .anyMatch(o -> StorageLayout.parseClipThumbnail(o.key())
                        .filter(t -> t.clip().value() == n)
                        .isPresent());
    }
}
