package io.reelvault.service.tus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.reelvault.cluster.ClusterJob;
import io.reelvault.cluster.ClusterLock;
import io.reelvault.cluster.ClusterLocks;
import io.reelvault.cluster.SharedClusterLocks;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.metrics.StorageMetrics;
import io.reelvault.model.ClipNumber;
import io.reelvault.model.CompositionId;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.JobId;
import io.reelvault.model.TempName;
import io.reelvault.model.TusUploadId;
import io.reelvault.model.UploadFilename;
import io.reelvault.model.UserId;
import io.reelvault.service.BodyInspector;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.composition.CompositionService;
import io.reelvault.service.generation.GenerationService;
import io.reelvault.service.temp.TempService;
import io.reelvault.service.upload.UploadService;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ResumableWrites;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Resumable uploads (tus 1.0 with creation, creation-with-upload, creation-defer-length, expiration, checksum and
 * termination) of everything the plain endpoints take: user uploads and every kind of pipeline artifact. At creation
 * the upload is checked exactly as its plain endpoint checks a request (name and declared type, size limit, who may
 * send it, the generation or composition it belongs to); each PATCH appends durably under the upload's lock (so any
 * replica sharing the storage may continue any upload, one request at a time); the last one hands the bytes, as a
 * stream, to the very service method of the plain endpoint ({@link UploadService#upload},
 * {@link GenerationService#putClip}, ...), which checks the content (magic bytes, size), computes the SHA-256 and
 * writes the object and its {@code metadata.json} by its usual atomic write: nothing downstream can tell how the bytes
 * arrived. A refused publication ends the upload (its bytes and state are removed). State lives only in the storage
 * ({@link ResumableWrites}), never only in this process.
 */
@ApplicationScoped
public class TusService {
    private static final Logger LOG = Logger.getLogger(TusService.class);
    /** The cluster lock of the tus sweep. */
    public static final String SWEEP_LOCK = "tus-sweep";

    private final Optional<ResumableWrites> writes;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration expiry;
    private final long uploadMax;
    private final long pipelineMax;
    private final UploadService uploads;
    private final GenerationService generations;
    private final CompositionService compositions;
    private final TempService temp;
    private final ArtifactWriter artifacts;
    private final ClusterJob sweepJob;
    /** S3 with Redis: the leases that keep two replicas from writing one upload at once. */
    private final Optional<SharedClusterLocks> shared;

    private final Counter expired;

    @Inject
    TusService(
            ObjectStore store,
            ObjectMapper json,
            Clock clock,
            ReelvaultConfig config,
            UploadService uploads,
            GenerationService generations,
            CompositionService compositions,
            TempService temp,
            ArtifactWriter artifacts,
            ClusterLocks locks,
            Instance<SharedClusterLocks> shared,
            CommandMode commandMode,
            MeterRegistry registry) {
        this.writes = store.capability(ResumableWrites.class);
        this.json = json;
        this.clock = clock;
        this.expiry = config.tus().expiry();
        this.uploadMax = config.uploads().maxSize().asLongValue();
        this.pipelineMax = config.pipeline().maxSize().asLongValue();
        this.uploads = uploads;
        this.generations = generations;
        this.compositions = compositions;
        this.temp = temp;
        this.artifacts = artifacts;
        this.sweepJob = locks.job(SWEEP_LOCK, !commandMode.active());
        // the local backend's lock is an OS lock on the shared root already; on S3 the store's lock is this process's
        this.shared =
                !config.storage().useLocal() && shared.isResolvable() ? Optional.of(shared.get()) : Optional.empty();
        this.expired = Counter.builder(StorageMetrics.TUS_UPLOADS_EXPIRED)
                .description("Unfinished resumable uploads removed after their Upload-Expires")
                .register(registry);
    }

    /** Where an upload stands: {@code Upload-Offset}, {@code Upload-Length} (empty: deferred) and the rest of HEAD. */
    public record Progress(
            TusUploadId id,
            long offset,
            OptionalLong length,
            String metadata,
            Instant expiresAt,
            boolean finished,
            Optional<String> resource,
            Optional<String> concat) {}

    /** The most partial uploads one final upload may name. */
    public static final int MAX_PARTS = 128;

    /** The largest upload this caller may create ({@code Tus-Max-Size}). */
    public long maxSize(boolean pipeline) {
        return pipeline ? Math.max(uploadMax, pipelineMax) : uploadMax;
    }

    /**
     * Creates an upload after the checks of its target's plain endpoint; {@code rate_limited} and the upload slots are
     * the resource's filters'.
     *
     * @param length   {@code Upload-Length}; empty with {@code Upload-Defer-Length: 1}
     * @param metadata the raw {@code Upload-Metadata} header
     */
    public Uni<Progress> create(UserId user, boolean pipeline, OptionalLong length, String metadata) {
        ResumableWrites store = backend();
        TusMetadata meta = TusMetadata.parse(metadata);
        TusTarget target = TusTarget.parse(meta.get("target").orElse("upload"));
        if (target.pipeline() && !pipeline) {
            throw new ReelvaultException(
                    ErrorCode.FORBIDDEN, "only pipeline callers may upload to the target " + target.value());
        }
        TusState state = checked(user, target, meta, length, metadata, null, null);
        TusUploadId id = TusUploadId.parse(state.id());
        return openTarget(state).chain(() -> store.create(id, bytes(state))).replaceWith(() -> progress(state, 0));
    }

    /**
     * Creates a partial upload ({@code Upload-Concat: partial}): bytes that become something only as a part of a final
     * upload ({@link #concatenate}). It needs its length ({@code Upload-Length}) at creation, at most
     * {@link #maxSize(boolean)}; its {@code Upload-Metadata} is kept and answered, not interpreted.
     */
    public Uni<Progress> createPartial(UserId user, boolean pipeline, OptionalLong length, String metadata) {
        ResumableWrites store = backend();
        TusMetadata.parse(metadata); // well-formed and bounded, though nothing in it counts yet
        if (length.isEmpty()) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "a partial upload needs its Upload-Length at creation");
        }
        if (length.getAsLong() > maxSize(pipeline)) {
            throw BodyInspector.tooLarge(maxSize(pipeline));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        TusState state = new TusState(
                TusUploadId.generate(clock).value(),
                user.value(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                length.getAsLong(),
                metadata == null ? "" : metadata,
                now,
                now.plus(expiry),
                false,
                null,
                TusState.PARTIAL,
                null);
        TusUploadId id = TusUploadId.parse(state.id());
        return store.create(id, bytes(state)).replaceWith(() -> progress(state, 0));
    }

    /**
     * Creates a final upload ({@code Upload-Concat: final;...}): the concatenation of the caller's finished partial
     * uploads {@code parts}, in order, checked and published now as an upload of {@code metadata}'s target would be
     * when its last chunk arrives (the target's checks on the summed declared lengths first, then whether every part is
     * finished). Holds every part's lease meanwhile
     * ({@code upload_locked} when a request holds one). Published: the parts are gone and the final upload is finished.
     * Refused by the target (its content, its state): the parts are gone too, as a refused upload's bytes are. Failed
     * otherwise (storage): the parts stay, and the same request can be sent again. {@code not_found} for a part that is
     * missing or another caller's, {@code invalid_request} for one that is not a partial upload or named twice,
     * {@code conflict} for an unfinished one.
     */
    public Uni<Progress> concatenate(UserId user, boolean pipeline, List<TusUploadId> parts, String metadata) {
        ResumableWrites store = backend();
        if (parts.isEmpty() || parts.size() > MAX_PARTS) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "a final upload names 1 to " + MAX_PARTS + " partial uploads");
        }
        if (new HashSet<>(parts).size() != parts.size()) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "a final upload names a partial upload twice");
        }
        TusMetadata meta = TusMetadata.parse(metadata);
        TusTarget target = TusTarget.parse(meta.get("target").orElse("upload"));
        if (target.pipeline() && !pipeline) {
            throw new ReelvaultException(
                    ErrorCode.FORBIDDEN, "only pipeline callers may upload to the target " + target.value());
        }
        // the parts one at a time (a final upload names few): each found, the caller's, a partial upload
        Uni<List<Found>> found = Uni.createFrom().item(new ArrayList<>());
        for (TusUploadId part : parts) {
            found = found.chain(list -> partialPart(user, part).map(f -> {
                list.add(f);
                return list;
            }));
        }
        return found.chain(partsFound -> {
            long length = 0;
            for (Found f : partsFound) {
                length = Math.addExact(length, f.state().length());
            }
            List<String> ids = parts.stream().map(TusUploadId::value).toList();
            TusState state = checked(user, target, meta, OptionalLong.of(length), metadata, TusState.FINAL, ids);
            return openTarget(state).chain(() -> leases(parts)).chain(leases -> {
                Uni<Progress> made = Uni.createFrom()
                        .deferred(() -> concatenated(user, state, parts))
                        .onTermination()
                        .invoke(() -> leases.forEach(ResumableWrites.Lease::close));
                return detachedFrom(made);
            });
        });
    }

    /** A part of a final upload: found, the caller's, unexpired, a partial upload. */
    private Uni<Found> partialPart(UserId user, TusUploadId part) {
        return load(user, part).map(f -> {
            if (!f.state().partial()) {
                throw new ReelvaultException(
                        ErrorCode.INVALID_REQUEST, "the upload " + part.value() + " is not a partial upload");
            }
            return f;
        });
    }

    /** {@link #partialPart} with all its bytes there. */
    private Uni<Found> finishedPart(UserId user, TusUploadId part) {
        return partialPart(user, part).map(f -> {
            if (f.stored() != f.state().length()) {
                throw new ReelvaultException(
                        ErrorCode.CONFLICT,
                        "the partial upload " + part.value() + " holds " + f.stored() + " of its "
                                + f.state().length() + " bytes; finish it first");
            }
            return f;
        });
    }

    /** Every part's lease, in order; {@code upload_locked} (and none held) when one is held elsewhere. */
    private Uni<List<ResumableWrites.Lease>> leases(List<TusUploadId> parts) {
        Uni<List<ResumableWrites.Lease>> held = Uni.createFrom().item(new ArrayList<>());
        for (TusUploadId part : parts) {
            held = held.chain(list -> lease(part)
                    .onFailure()
                    .invoke(e -> list.forEach(ResumableWrites.Lease::close))
                    .map(lease -> {
                        if (lease.isEmpty()) {
                            list.forEach(ResumableWrites.Lease::close);
                            throw new ReelvaultException(
                                    ErrorCode.UPLOAD_LOCKED,
                                    "a request is writing the partial upload " + part.value()
                                            + "; retry when it has ended");
                        }
                        list.add(lease.get());
                        return list;
                    }));
        }
        return held;
    }

    /** Under the parts' leases: checks them again, then creates the final upload and publishes the parts' bytes. */
    private Uni<Progress> concatenated(UserId user, TusState state, List<TusUploadId> parts) {
        ResumableWrites store = backend();
        Uni<Void> checked = Uni.createFrom().voidItem();
        for (TusUploadId part : parts) {
            checked = checked.chain(() -> finishedPart(user, part).replaceWithVoid());
        }
        TusUploadId id = TusUploadId.parse(state.id());
        Multi<ByteBuffer> bytes = Multi.createBy()
                .concatenating()
                .streams(parts.stream().map(p -> store.read(p, 0)).toList());
        return checked.chain(() -> store.create(id, bytes(state)))
                .chain(() -> publish(id, state, bytes)
                        .onFailure(e -> !refused(e))
                        .call(() -> store.delete(id)) // storage failed: no final upload, the parts stay
                        .onFailure(TusService::refused)
                        .call(() -> deleteAll(parts)) // the parts' bytes are refused with it
                        .call(() -> deleteAll(parts)));
    }

    /** Removes the parts of a final upload; one that cannot be removed now is left to the sweep (its expiry). */
    private Uni<Void> deleteAll(List<TusUploadId> parts) {
        ResumableWrites store = backend();
        Uni<Void> deleted = Uni.createFrom().voidItem();
        for (TusUploadId part : parts) {
            deleted = deleted.chain(() -> store.delete(part).onFailure().recoverWithUni(e -> {
                LOG.warnf(
                        "tus: partial upload %s of a final upload not removed (%s); its expiry removes it",
                        part.value(), e.getClass().getSimpleName());
                return Uni.createFrom().voidItem();
            }));
        }
        return deleted;
    }

    /** Runs {@code work} to its end whatever becomes of the request that asked for it. */
    private static <T> Uni<T> detachedFrom(Uni<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        work.subscribe().with(done::complete, done::completeExceptionally);
        return Uni.createFrom().completionStage(done::copy);
    }

    /** The checks of the target's plain endpoint that need no storage; the new state document. */
    private TusState checked(
            UserId user,
            TusTarget target,
            TusMetadata meta,
            OptionalLong length,
            String raw,
            String concat,
            List<String> parts) {
        String filename = meta.get("filename").orElse(null);
        String filetype = meta.get("filetype").orElse(null);
        String generation = null;
        String composition = null;
        Integer clip = null;
        String job = null;
        switch (target) {
            case UPLOAD -> {
                UploadFilename name = uploads.precheck(meta.require("filename", target), filetype, length);
                filename = name.value();
            }
            case GENERATION_CLIP, GENERATION_THUMBNAIL -> {
                generation = GenerationId.parse(meta.require("generation_id", target))
                        .value();
                clip = ClipNumber.parse(meta.require("clip", target)).value();
            }
            case GENERATION_AUDIO ->
                generation = GenerationId.parse(meta.require("generation_id", target))
                        .value();
            case COMPOSITION_FINAL, COMPOSITION_THUMBNAIL ->
                composition = CompositionId.parse(meta.require("composition_id", target))
                        .value();
            case TEMP -> {
                job = JobId.parse(meta.require("job_id", target)).value();
                filename = TempName.parse(meta.require("filename", target)).value();
            }
        }
        if (target.pipeline()) {
            artifacts.precheck(artifactType(target, filename), filetype, length);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return new TusState(
                TusUploadId.generate(clock).value(),
                user.value(),
                target.value(),
                filename,
                filetype,
                generation,
                composition,
                clip,
                job,
                length.isPresent() ? length.getAsLong() : null,
                raw == null ? "" : raw,
                now,
                now.plus(expiry),
                false,
                null,
                concat,
                parts);
    }

    /** The type the plain endpoint expects of an artifact; null: any bytes (a {@code .tmp} temp file). */
    private static FileType artifactType(TusTarget target, String filename) {
        return switch (target) {
            case GENERATION_CLIP, COMPOSITION_FINAL -> FileType.MP4;
            case GENERATION_THUMBNAIL, COMPOSITION_THUMBNAIL -> FileType.JPEG;
            case GENERATION_AUDIO -> FileType.MP3;
            case TEMP -> TempName.parse(filename).requiredType().orElse(null);
            case UPLOAD -> throw new IllegalArgumentException("not an artifact");
        };
    }

    /** The stored checks of the plain endpoint: the generation open for artifacts, the composition there and unexpired. */
    private Uni<?> openTarget(TusState state) {
        return switch (state.targetKind()) {
            case GENERATION_CLIP, GENERATION_THUMBNAIL, GENERATION_AUDIO ->
                generations.openForArtifacts(GenerationId.parse(state.generationId()));
            case COMPOSITION_FINAL, COMPOSITION_THUMBNAIL ->
                compositions.get(CompositionId.parse(state.compositionId()));
            case UPLOAD, TEMP -> Uni.createFrom().voidItem();
        };
    }

    /** HEAD: {@code not_found} for a missing upload or another caller's, {@code upload_expired} past its expiry. */
    public Uni<Progress> head(UserId user, TusUploadId id) {
        return load(user, id).map(found -> progress(found.state(), found.offset()));
    }

    /**
     * @param offset the offset the client is told: the bytes stored, except that an upload whose bytes are complete
     *               but not published (its publication failed, or its process died during it) answers one byte less, so
     *               that the client sends the last byte again and that PATCH publishes
     * @param stored the bytes stored
     */
    private record Found(TusState state, long offset, long stored) {}

    private Uni<Found> load(UserId user, TusUploadId id) {
        return backend().find(id).map(stored -> {
            if (stored.isEmpty()) {
                throw ReelvaultException.notFound("upload");
            }
            TusState state = parse(stored.get().state());
            if (!state.owner().equals(user.value())) {
                throw ReelvaultException.notFound("upload");
            }
            if (clock.instant().isAfter(state.expiresAt())) {
                throw new ReelvaultException(
                        ErrorCode.UPLOAD_EXPIRED, "the upload expired at " + state.expiresAt() + "; start a new one");
            }
            long bytes = stored.get().offset();
            if (state.finished()) {
                return new Found(state, state.length(), bytes);
            }
            boolean unpublished =
                    !state.partial() && state.length() != null && state.length() > 0 && bytes == state.length();
            return new Found(state, unpublished ? bytes - 1 : bytes, bytes);
        });
    }

    /**
     * PATCH: appends the body at {@code offset} under the upload's lock ({@code upload_locked} when another request
     * holds it), durably before answering; the chunk that completes the upload publishes it. Refusals before any byte
     * is read: {@code offset_mismatch}, {@code payload_too_large} (the declared chunk passes {@code Upload-Length} or
     * the limit). While reading: {@code payload_too_large} and {@code checksum_mismatch} discard the chunk; an
     * interrupted body keeps what arrived, unless it carried {@code Upload-Checksum}.
     *
     * @param uploadLength  {@code Upload-Length} sent with the PATCH (ends a deferred length)
     * @param contentLength the chunk's declared length
     */
    public Uni<Progress> patch(
            UserId user,
            TusUploadId id,
            long offset,
            OptionalLong uploadLength,
            Optional<UploadChecksum> checksum,
            OptionalLong contentLength,
            Multi<ByteBuffer> body) {
        ResumableWrites store = backend();
        return load(user, id) // not found, other caller's or expired: answered before the lock is tried
                .invoke(found -> {
                    if (found.state().isFinal()) {
                        throw new ReelvaultException(
                                ErrorCode.FORBIDDEN,
                                "a final upload is made of its partial uploads; it takes no PATCH");
                    }
                })
                .chain(() -> lease(id))
                .chain(lease -> {
                    if (lease.isEmpty()) {
                        return Uni.createFrom()
                                .failure(new ReelvaultException(
                                        ErrorCode.UPLOAD_LOCKED,
                                        "another request is writing this upload; retry when it has ended"));
                    }
                    Handover handover = new Handover(lease.get());
                    return Uni.createFrom()
                            .deferred(() ->
                                    locked(user, id, offset, uploadLength, checksum, contentLength, body, handover))
                            .onTermination()
                            .invoke((item, failure, cancelled) -> {
                                if (cancelled) {
                                    // the client vanished: its append may still be keeping (or cutting) the bytes
                                    // that arrived; the next request must find them settled
                                    store.settled(id)
                                            .subscribe()
                                            .with(
                                                    settled -> handover.releaseUnlessHandedOver(),
                                                    e -> handover.releaseUnlessHandedOver());
                                } else {
                                    handover.releaseUnlessHandedOver();
                                }
                            });
                });
    }

    /**
     * The lease of one PATCH: released when the request ends (when it was cancelled, once the store's append has
     * settled its bytes), unless a publication took it over.
     */
    private static final class Handover {
        private final ResumableWrites.Lease lease;
        private final AtomicBoolean handedOver = new AtomicBoolean();

        Handover(ResumableWrites.Lease lease) {
            this.lease = lease;
        }

        void releaseUnlessHandedOver() {
            if (!handedOver.get()) {
                lease.close();
            }
        }

        /** From now on the publication releases the lease, whatever becomes of the request. */
        ResumableWrites.Lease takeOver() {
            handedOver.set(true);
            return lease;
        }
    }

    private Uni<Progress> locked(
            UserId user,
            TusUploadId id,
            long offset,
            OptionalLong uploadLength,
            Optional<UploadChecksum> checksum,
            OptionalLong contentLength,
            Multi<ByteBuffer> body,
            Handover handover) {
        ResumableWrites store = backend();
        return load(user, id).chain(found -> {
            TusState state = found.state();
            if (offset != found.offset()) {
                throw new ReelvaultException(
                        ErrorCode.OFFSET_MISMATCH,
                        "Upload-Offset is " + offset + " but the upload holds " + found.offset()
                                + " bytes: HEAD it and resume from there");
            }
            if (state.finished()) {
                return Uni.createFrom().item(progress(state, found.offset()));
            }
            if (state.length() != null && state.length() == 0) {
                return state.partial()
                        ? Uni.createFrom().item(progress(state, 0))
                        : detached(id, state, handover.takeOver()); // nothing to append: published at once
            }
            Uni<Void> settled = found.stored() == found.offset()
                    ? Uni.createFrom().voidItem()
                    : store.truncate(id, found.offset()); // complete but unpublished: the last byte comes again
            long max = state.partial() ? state.length() : limit(state.targetKind());
            Uni<TusState> lengthKnown = settled.replaceWith(state);
            if (uploadLength.isPresent()) {
                long declared = uploadLength.getAsLong();
                if (state.length() != null && state.length() != declared) {
                    throw new ReelvaultException(
                            ErrorCode.INVALID_REQUEST, "Upload-Length was " + state.length() + " and cannot change");
                }
                if (state.length() == null) {
                    if (declared > max) {
                        throw BodyInspector.tooLarge(max);
                    }
                    if (declared < offset) {
                        throw new ReelvaultException(
                                ErrorCode.INVALID_REQUEST, "Upload-Length is less than the bytes already uploaded");
                    }
                    TusState withLength = state.withLength(declared);
                    lengthKnown = settled.chain(() -> store.saveState(id, bytes(withLength)))
                            .replaceWith(withLength);
                }
            }
            return lengthKnown.chain(current -> {
                long end = current.length() != null ? current.length() : max;
                if (contentLength.isPresent()
                        && contentLength.getAsLong() > end - offset) { // no overflow near Long.MAX
                    throw current.length() != null ? pastLength(current.length()) : BodyInspector.tooLarge(max);
                }
                Multi<ByteBuffer> checked = watched(body, offset, end, current.length() != null, checksum);
                return store.append(
                                id,
                                offset,
                                current.length() != null ? OptionalLong.of(current.length()) : OptionalLong.empty(),
                                checked,
                                e -> checksum.isEmpty() && interrupted(e))
                        .chain(newOffset -> current.length() != null
                                        && newOffset.longValue()
                                                == current.length().longValue()
                                        && !current.partial()
                                ? detached(id, current, handover.takeOver())
                                : Uni.createFrom().item(progress(current, newOffset)));
            });
        });
    }

    /** The body, failed with 413 past {@code end} and with 460 at its end when its checksum does not match. */
    private static Multi<ByteBuffer> watched(
            Multi<ByteBuffer> body, long offset, long end, boolean lengthKnown, Optional<UploadChecksum> checksum) {
        long[] position = {offset};
        UploadChecksum.Verifier verifier =
                checksum.map(UploadChecksum::verifier).orElse(null);
        return body.onItem()
                .invoke(buffer -> {
                    position[0] += buffer.remaining();
                    if (position[0] > end) {
                        throw lengthKnown ? pastLength(end) : BodyInspector.tooLarge(end);
                    }
                    if (verifier != null) {
                        verifier.update(buffer);
                    }
                })
                .onCompletion()
                .invoke(() -> {
                    if (verifier != null) {
                        verifier.check();
                    }
                });
    }

    private static ReelvaultException pastLength(long length) {
        return new ReelvaultException(
                ErrorCode.PAYLOAD_TOO_LARGE, "the chunk goes past Upload-Length (" + length + " bytes)");
    }

    /** A body cut by its client (gone, or silent too long): what arrived may stay. Null: the request was cancelled. */
    private static boolean interrupted(Throwable e) {
        return e == null
                || e instanceof CancellationException
                || e instanceof ReelvaultException r
                        && (r.code() == ErrorCode.INVALID_REQUEST || r.code() == ErrorCode.REQUEST_TIMEOUT);
    }

    private long limit(TusTarget target) {
        return target.pipeline() ? pipelineMax : uploadMax;
    }

    /**
     * Hands the finished bytes to the plain endpoint's service method. Refused (the content is not the declared type,
     * the generation completed meanwhile, ...): the upload is over, its bytes and state removed. Failed otherwise
     * (storage): the upload stays complete but unpublished, and a PATCH at its end (no body) tries again.
     */
    private Uni<Progress> publish(TusUploadId id, TusState state) {
        return publish(id, state, backend().whole(id, state.length()));
    }

    /** {@link #publish(TusUploadId, TusState)} of {@code bytes}, the upload's whole content. */
    private Uni<Progress> publish(TusUploadId id, TusState state, Multi<ByteBuffer> bytes) {
        ResumableWrites store = backend();
        OptionalLong length = OptionalLong.of(state.length());
        // deferred: a check a service method makes before it returns its Uni fails the publication like any other
        Uni<String> published = Uni.createFrom().deferred(() -> switch (state.targetKind()) {
            case UPLOAD ->
                uploads.upload(UserId.parse(state.owner()), UploadFilename.parse(state.filename()), length, bytes)
                        .map(meta -> "api/v1/uploads/" + meta.uploadId());
            case GENERATION_CLIP ->
                generations
                        .putClip(GenerationId.parse(state.generationId()), new ClipNumber(state.clip()), length, bytes)
                        .map(r -> "api/v1/generations/" + state.generationId());
            case GENERATION_THUMBNAIL ->
                generations
                        .putThumbnail(
                                GenerationId.parse(state.generationId()), new ClipNumber(state.clip()), length, bytes)
                        .map(r -> "api/v1/generations/" + state.generationId());
            case GENERATION_AUDIO ->
                generations
                        .putAudio(GenerationId.parse(state.generationId()), length, bytes)
                        .map(r -> "api/v1/generations/" + state.generationId());
            case COMPOSITION_FINAL ->
                compositions
                        .putFinal(
                                CompositionId.parse(state.compositionId()),
                                compositions.compressByDefault(),
                                length,
                                bytes)
                        .map(r -> "api/v1/compositions/" + state.compositionId());
            case COMPOSITION_THUMBNAIL ->
                compositions
                        .putThumbnail(CompositionId.parse(state.compositionId()), length, bytes)
                        .map(r -> "api/v1/compositions/" + state.compositionId());
            case TEMP ->
                temp.put(JobId.parse(state.jobId()), TempName.parse(state.filename()), length, bytes)
                        .map(r -> "api/v1/temp/" + state.jobId() + "/" + state.filename() + "/url");
        });
        return published
                .onFailure(TusService::refused)
                .call(() -> store.delete(id))
                .chain(resource -> {
                    TusState done = state.published(resource);
                    return store.saveState(id, bytes(done))
                            .chain(() -> store.deleteBytes(id))
                            .replaceWith(progress(done, state.length()));
                });
    }

    /**
     * {@link #publish} run to its end whatever becomes of the request (a client that goes away during the last PATCH
     * does not cut the publication short), holding the upload's lease until then. A publication that fails other than
     * by a refusal (storage) gives back the last byte, so that HEAD answers one byte less than the length: the client
     * sends it again, and that PATCH publishes again. An offset equal to the length thus always means published.
     */
    private Uni<Progress> detached(TusUploadId id, TusState state, ResumableWrites.Lease lease) {
        CompletableFuture<Progress> done = new CompletableFuture<>();
        Uni<Progress> publication = publish(id, state)
                .onFailure(e -> !refused(e))
                .call(() -> state.length() > 0
                        ? backend().truncate(id, state.length() - 1)
                        : Uni.createFrom().voidItem());
        publication.onTermination().invoke(lease::close).subscribe().with(done::complete, done::completeExceptionally);
        return Uni.createFrom().completionStage(done::copy);
    }

    private static boolean refused(Throwable e) {
        return e instanceof ReelvaultException r
                && r.code().status() >= 400
                && r.code().status() < 500;
    }

    /** DELETE (termination): the upload's bytes and state are gone; {@code upload_locked} while a PATCH runs. */
    public Uni<Void> terminate(UserId user, TusUploadId id) {
        ResumableWrites store = backend();
        return load(user, id).chain(() -> lease(id)).chain(lease -> {
            if (lease.isEmpty()) {
                return Uni.createFrom()
                        .failure(new ReelvaultException(
                                ErrorCode.UPLOAD_LOCKED, "a PATCH of this upload is running; retry when it has ended"));
            }
            return store.delete(id).onTermination().invoke(lease.get()::close);
        });
    }

    @Scheduled(
            identity = "reelvault-tus-sweep",
            every = "${reelvault.tus.sweep-interval}",
            delayed = "60s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        if (writes.isEmpty()) {
            return;
        }
        sweepJob.onSchedule(LOG, "tus sweep failed, the next run retries", () -> {
            int removed = sweepExpired();
            if (removed > 0) {
                LOG.infof("tus sweep removed %d expired uploads", removed);
            }
        });
    }

    /**
     * Removes every upload past its expiry (bytes, state, lock), skipping those a request holds; once per cluster (the
     * lock {@value #SWEEP_LOCK}: 0 at once when another replica runs it). Blocking: call it from a worker thread. Unfinished ones are counted in {@code reelvault_tus_uploads_expired_total}.
     *
     * @return how many unfinished uploads were removed
     */
    public int sweepExpired() {
        return sweepJob.run(this::sweepNow).orElse(0);
    }

    private int sweepNow() {
        ResumableWrites store = backend();
        Instant now = clock.instant();
        int removed = 0;
        for (TusUploadId id : store.list().await().indefinitely()) {
            Optional<ResumableWrites.Stored> stored = store.find(id).await().indefinitely();
            if (stored.isEmpty()) {
                continue;
            }
            TusState state;
            try {
                state = parse(stored.get().state());
            } catch (ReelvaultException unreadable) {
                LOG.warnf("tus upload %s: its state cannot be read; left for an operator", id);
                continue;
            }
            if (!now.isAfter(state.expiresAt())) {
                continue;
            }
            Optional<ResumableWrites.Lease> lease = lease(id).await().indefinitely();
            if (lease.isEmpty()) {
                continue; // a PATCH is answering 410 right now; the next sweep removes it
            }
            try (ResumableWrites.Lease held = lease.get()) {
                store.delete(id).await().indefinitely();
            }
            if (!state.finished()) {
                expired.increment();
                removed++;
            }
        }
        return removed;
    }

    /**
     * The upload's lease: the store's lock (local: an OS lock every process on the root honours; S3: this process's),
     * and on S3 with Redis also the cluster lease {@code reelvault:lock:tus-{id}} (renewed while held, gone a lease
     * ttl after its holder died), so that two replicas never write one upload at once. Empty when either is held
     * elsewhere, or Redis cannot tell (fail closed: the client retries its 423).
     */
    Uni<Optional<ResumableWrites.Lease>> lease(TusUploadId id) {
        return backend().lock(id).chain(local -> {
            Optional<ClusterLock> cluster =
                    local.isEmpty() ? Optional.empty() : shared.flatMap(s -> s.named(leaseName(id)));
            if (cluster.isEmpty()) {
                return Uni.createFrom().item(local);
            }
            return Uni.createFrom()
                    .item(() -> cluster.get().tryLock()) // a Redis call: on a worker
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .onFailure()
                    .invoke(e -> local.get().close())
                    .map(held -> {
                        if (held.isEmpty()) {
                            local.get().close();
                            return Optional.<ResumableWrites.Lease>empty();
                        }
                        AtomicBoolean released = new AtomicBoolean();
                        return Optional.<ResumableWrites.Lease>of(() -> {
                            if (released.compareAndSet(false, true)) {
                                local.get().close();
                                Infrastructure.getDefaultWorkerPool().execute(held.get()::close); // a Redis call too
                            }
                        });
                    });
        });
    }

    /** The cluster lock's name of an upload, e.g. {@code tus-tus-20261204-abc...}. */
    public static String leaseName(TusUploadId id) {
        return "tus-" + id.value().replace('_', '-');
    }

    private Progress progress(TusState state, long offset) {
        return new Progress(
                TusUploadId.parse(state.id()),
                offset,
                state.length() == null ? OptionalLong.empty() : OptionalLong.of(state.length()),
                state.metadata(),
                state.expiresAt(),
                state.finished(),
                Optional.ofNullable(state.resource()),
                Optional.ofNullable(concatHeader(state)));
    }

    /** {@code Upload-Concat} as HEAD answers it: {@code partial}, {@code final;/api/v1/tus/a /api/v1/tus/b}, or null. */
    private static String concatHeader(TusState state) {
        if (state.partial()) {
            return TusState.PARTIAL;
        }
        if (state.isFinal() && state.parts() != null) {
            return TusState.FINAL + ";"
                    + String.join(
                            " ",
                            state.parts().stream().map(p -> "/api/v1/tus/" + p).toList());
        }
        return null;
    }

    private ResumableWrites backend() {
        return writes.orElseThrow(() -> new ReelvaultException(
                ErrorCode.METHOD_NOT_ALLOWED, "resumable uploads are not available on this storage backend yet"));
    }

    private byte[] bytes(TusState state) {
        try {
            return json.writeValueAsBytes(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private TusState parse(byte[] state) {
        try {
            return json.readValue(state, TusState.class);
        } catch (java.io.IOException e) {
            throw new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "a tus upload's state cannot be read", e);
        }
    }
}
