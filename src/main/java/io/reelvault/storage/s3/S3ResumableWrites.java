package io.reelvault.storage.s3;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.TusUploadId;
import io.reelvault.storage.AdoptableBody;
import io.reelvault.storage.AppendsInFlight;
import io.reelvault.storage.ResumableWrites;
import io.reelvault.storage.RunningDigests;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The S3 backend's resumable uploads, under {@code .tus/{id}/} in the bucket (outside the service's areas: no listing,
 * scan, lifecycle rule or abandoned-upload sweep of an area sees them). Each upload is an S3 multipart upload of
 * {@code .tus/{id}/data} with parts of one fixed size (the backend's part size, at least 5 MiB; all equal but the last,
 * so R2-style servers take them); the bytes that do not fill a part yet wait in the small object {@code tail} (each new tail a new object,
 * {@code tail-1}, {@code tail-2}, ..., so that the progress always names one that is stored) and are
 * put in front of the next PATCH's bytes; {@code progress} records the multipart upload's id, its parts (number and
 * ETag) and the tail's size; {@code state.json} is the caller's document. No local disk is used; a PATCH holds the parts
 * it is sending (at most the backend's part concurrency) and the one it fills in memory, taken from the store's
 * {@link BufferBudget} as bytes arrive; its bytes go into the upload's running digest ({@link RunningDigests}). A full part is sent only once a byte beyond it arrives, so the tail is never empty while the upload
 * has bytes (the last byte can always be given back). Publication ({@link #read}) sends the tail as the last part,
 * completes the multipart upload and streams the object back; termination and expiry abort it.
 *
 * <p>The lock is this process's only ({@code ResumableWrites#lock}): on S3 several replicas may continue one upload in
 * turn (its state is in the bucket), but two PATCHes of it at once on two replicas are not excluded.
 */
final class S3ResumableWrites implements ResumableWrites {
    private static final String PREFIX = ".tus/";

    private final S3Bucket bucket;
    private final long partSize;
    /** Parts of one PATCH in flight at once, at most (the backend's multipart setting). */
    private final int partConcurrency;

    private final RunningDigests digests = new RunningDigests();
    /** The appends in flight, until their bytes are settled (cancelled ones included): {@link #settled}. */
    private final AppendsInFlight appends = new AppendsInFlight();

    private final ExecutorService executor;
    private final BufferBudget budget;
    /** The arrays of the part buffers, shared with the store's multipart uploads ({@link PartChunks}). */
    private final PartChunks arrays;

    private final Set<TusUploadId> held = ConcurrentHashMap.newKeySet();

    S3ResumableWrites(
            S3Bucket bucket,
            long partSize,
            int partConcurrency,
            BufferBudget budget,
            PartChunks arrays,
            ExecutorService executor) {
        this.bucket = bucket;
        this.partSize = partSize;
        this.partConcurrency = partConcurrency;
        this.budget = budget;
        this.arrays = arrays;
        this.executor = executor;
    }

    private static String key(TusUploadId id, String name) {
        return PREFIX + id.value() + "/" + name;
    }

    /** The tail object of a progress: {@code tail}, then {@code tail-1}, {@code tail-2}, ... */
    private static String tailKey(TusUploadId id, Progress p) {
        return key(id, p.generation() == 0 ? "tail" : "tail-" + p.generation());
    }

    /**
     * The multipart upload's progress: its id, parts, tail size; once completed, its total and the bytes given back.
     * {@code generation} names the tail object ({@link #tailKey}): each new tail is a new object, and the old one is
     * removed only once the progress names the new one, so that a progress always names a tail that is stored, whatever
     * write fails or whenever the process dies.
     */
    private record Progress(
            String uploadId, List<CompletedPart> parts, long tail, boolean completed, long givenBack, long generation) {
        long offset(long partSize) {
            return (long) parts.size() * partSize + tail - givenBack;
        }

        /** The same with another tail, in a new generation. */
        Progress withTail(List<CompletedPart> parts, long tail) {
            return new Progress(uploadId, parts, tail, false, 0, generation + 1);
        }

        String text() {
            StringBuilder b = new StringBuilder();
            b.append(uploadId)
                    .append('\n')
                    .append(tail)
                    .append(generation == 0 ? "" : " " + generation) // none: written before generations
                    .append('\n')
                    .append(completed)
                    .append('\n')
                    .append(givenBack)
                    .append('\n');
            for (CompletedPart p : parts) {
                b.append(p.partNumber()).append(' ').append(p.eTag()).append('\n');
            }
            return b.toString();
        }

        static Progress parse(String text) {
            String[] lines = text.split("\n");
            List<CompletedPart> parts = new ArrayList<>();
            for (int i = 4; i < lines.length; i++) {
                int space = lines[i].indexOf(' ');
                parts.add(CompletedPart.builder()
                        .partNumber(Integer.parseInt(lines[i].substring(0, space)))
                        .eTag(lines[i].substring(space + 1))
                        .build());
            }
            String[] tail = lines[1].split(" ");
            return new Progress(
                    lines[0],
                    parts,
                    Long.parseLong(tail[0]),
                    Boolean.parseBoolean(lines[2]),
                    Long.parseLong(lines[3]),
                    tail.length > 1 ? Long.parseLong(tail[1]) : 0);
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> Uni<T> blocking(Call<T> call) {
        return Uni.createFrom()
                .item(() -> {
                    try {
                        return call.run();
                    } catch (ExecutionException e) {
                        throw asRuntime(S3Errors.translate(e.getCause()));
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw asRuntime(S3Errors.translate(e));
                    }
                })
                .runSubscriptionOn(executor);
    }

    private static RuntimeException asRuntime(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    private void put(String key, byte[] bytes) throws Exception {
        bucket.s3()
                .putObject(
                        b -> b.bucket(bucket.name())
                                .key(key)
                                .contentLength((long) bytes.length)
                                .serverSideEncryption(bucket.sse())
                                .overrideConfiguration(bucket.deadline(bytes.length)),
                        AsyncRequestBody.fromBytes(bytes))
                .get();
    }

    private Optional<byte[]> get(String key) throws Exception {
        try {
            return Optional.of(bucket.s3()
                    .getObject(
                            b -> b.bucket(bucket.name()).key(key).overrideConfiguration(bucket.deadline()),
                            AsyncResponseTransformer.toBytes())
                    .get()
                    .asByteArray());
        } catch (ExecutionException e) {
            if (S3Errors.isNotFound(e.getCause())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void deleteQuietly(String key) throws Exception {
        try {
            bucket.s3()
                    .deleteObject(b -> b.bucket(bucket.name()).key(key).overrideConfiguration(bucket.deadline()))
                    .get();
        } catch (ExecutionException e) {
            if (!S3Errors.isNotFound(e.getCause())) {
                throw e;
            }
        }
    }

    private Optional<Progress> progress(TusUploadId id) throws Exception {
        return get(key(id, "progress")).map(b -> Progress.parse(new String(b, StandardCharsets.UTF_8)));
    }

    private void save(TusUploadId id, Progress p) throws Exception {
        put(key(id, "progress"), p.text().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Uni<Void> create(TusUploadId id, byte[] state) {
        return blocking(() -> {
            String uploadId = bucket.s3()
                    .createMultipartUpload(b -> b.bucket(bucket.name())
                            .key(key(id, "data"))
                            .contentType("application/octet-stream")
                            .serverSideEncryption(bucket.sse())
                            .overrideConfiguration(bucket.deadline()))
                    .get()
                    .uploadId();
            save(id, new Progress(uploadId, List.of(), 0, false, 0, 0));
            put(key(id, "state.json"), state);
            return null;
        });
    }

    @Override
    public Uni<Optional<Stored>> find(TusUploadId id) {
        return blocking(() -> {
            Optional<byte[]> state = get(key(id, "state.json"));
            if (state.isEmpty()) {
                return Optional.empty();
            }
            long offset = progress(id).map(p -> p.offset(partSize)).orElse(0L);
            return Optional.of(new Stored(state.get(), offset));
        });
    }

    @Override
    public Uni<Void> saveState(TusUploadId id, byte[] state) {
        return blocking(() -> {
            put(key(id, "state.json"), state);
            return null;
        });
    }

    @Override
    public Uni<Optional<Lease>> lock(TusUploadId id) {
        return Uni.createFrom().item(() -> held.add(id) ? Optional.<Lease>of(() -> held.remove(id)) : Optional.empty());
    }

    /**
     * One PATCH's bytes on their way: the part being filled (the old tail first), in 64 KiB chunks taken from the
     * store's {@link BufferBudget} as bytes arrive (waiting, as a multipart upload's parts do, while the budget is
     * spent), sent as a part once full and followed by more bytes. The chunks' arrays come from {@link PartChunks} and
     * go back to it once S3 has stored their part or tail, never after a failed request.
     */
    private final class Filling {
        private static final int CHUNK = PartReader.CHUNK;
        final TusUploadId id;
        final Progress before;
        final List<CompletedPart> parts;
        /**
         * Whether each part is recorded in {@code progress} once sent: so that a replica that dies mid-PATCH leaves
         * the parts it sent to whichever replica continues (its tail, in memory, is lost). Not for a chunk that is
         * kept only whole (it carries a checksum): its bytes count only once the end is verified.
         */
        private final boolean recordParts;
        /** The upload's length when known: a PATCH that ends on a part boundary before it sends that part at once. */
        private final OptionalLong length;
        /** The upload's running digest, continued by this PATCH's bytes (not the old tail's, hashed before). */
        final Optional<RunningDigests.Running> digest;
        /** A part of this PATCH is recorded: a refused chunk must put {@link #before} back. */
        private volatile boolean recorded;

        /** The number the next part sent gets. */
        private int sent;

        private BufferBudget.Part budgetPart;
        private List<ByteBuffer> chunks = new ArrayList<>();
        private ByteBuffer current;
        private long filled;
        /** Parts sent and not yet waited for, oldest first, at most the backend's part concurrency. */
        private final ArrayDeque<Sending> sending = new ArrayDeque<>();
        /** The recording of the last part sent, which follows that of every part before it. */
        private CompletableFuture<Void> recording = CompletableFuture.completedFuture(null);

        volatile boolean cancelled;
        /** Whether the append was cancelled before its body, while this filling was being made (its first stage). */
        BooleanSupplier abandoned = () -> false;

        private record Sending(int number, CompletableFuture<Void> recorded) {}

        Filling(
                TusUploadId id,
                Progress before,
                boolean recordParts,
                OptionalLong length,
                Optional<RunningDigests.Running> digest) {
            this.id = id;
            this.before = before;
            this.recordParts = recordParts;
            this.length = length;
            this.digest = digest;
            this.parts = new ArrayList<>(before.parts());
            this.sent = before.parts().size() + 1;
            this.budgetPart = budget.part(partSize);
        }

        /** This PATCH's bytes: hashed into the running digest, then {@link #fill}ed in. */
        void accept(ByteBuffer source) throws Exception {
            digest.ifPresent(d -> d.update(source));
            fill(source);
        }

        /** Bytes into the part being filled, which is sent once full and followed by more bytes. */
        void fill(ByteBuffer source) throws Exception {
            ByteBuffer buffer = source.duplicate();
            while (buffer.hasRemaining()) {
                if (filled == partSize) { // full, and more bytes come: send it
                    sendPart();
                }
                if (current == null || !current.hasRemaining()) {
                    int size = (int) Math.min(CHUNK, partSize - filled);
                    budgetPart.grow(size, 50, () -> cancelled || abandoned.getAsBoolean());
                    current = ByteBuffer.wrap(arrays.take(), 0, size);
                    chunks.add(current);
                }
                int n = Math.min(buffer.remaining(), current.remaining());
                ByteBuffer slice = buffer.slice();
                slice.limit(n);
                current.put(slice);
                buffer.position(buffer.position() + n);
                filled += n;
            }
        }

        /** The bytes so far, as a request body that can be sent again (a retried request). */
        private PartBuffer bytes() {
            List<ByteBuffer> written = new ArrayList<>();
            for (ByteBuffer c : chunks) {
                written.add(c.duplicate().flip());
            }
            return new PartBuffer(budgetPart, written, filled);
        }

        /**
         * Sends the full part while the next one fills (up to the backend's part concurrency at once, as a multipart
         * upload does); once that many are in flight, waits for the oldest. Each part is recorded as soon as it and
         * every part before it are answered ({@link #record}), whether or not more bytes arrive meanwhile.
         */
        private void sendPart() throws Exception {
            int number = sent++;
            PartBuffer data = bytes();
            BufferBudget.Part shipped = budgetPart;
            List<ByteBuffer> arraysOfPart = chunks;
            shipped.ship();
            CompletableFuture<String> etag;
            try {
                etag = bucket.s3()
                        .uploadPart(
                                b -> b.bucket(bucket.name())
                                        .key(key(id, "data"))
                                        .uploadId(before.uploadId())
                                        .partNumber(number)
                                        .contentLength(partSize)
                                        .overrideConfiguration(bucket.deadline(partSize)),
                                data.body("application/octet-stream"))
                        .thenApply(UploadPartResponse::eTag)
                        .whenComplete((ignored, failure) -> {
                            if (failure == null) { // S3 has the whole part: no request reads its arrays any more
                                arrays.giveBack(arraysOfPart);
                            }
                            shipped.sent();
                        });
            } catch (RuntimeException e) {
                shipped.sent();
                throw e;
            }
            recording = recording.thenCompose(previous -> etag).thenCompose(tag -> record(number, tag));
            sending.add(new Sending(number, recording));
            budgetPart = budget.part(partSize);
            chunks = new ArrayList<>();
            current = null;
            filled = 0;
            if (sending.size() >= partConcurrency) {
                sending.poll().recorded().get();
            }
        }

        /**
         * Adds the answered part to the parts and, when parts are recorded as they are sent, writes the progress naming
         * them (the tail object still holds the previous one, which this ignores); on an SDK thread, in part order.
         */
        private CompletableFuture<Void> record(int number, String etag) {
            List<CompletedPart> now;
            synchronized (parts) {
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                now = List.copyOf(parts);
            }
            if (!recordParts) {
                return CompletableFuture.completedFuture(null);
            }
            byte[] progress = new Progress(before.uploadId(), now, 0, false, 0, before.generation())
                    .text()
                    .getBytes(StandardCharsets.UTF_8);
            return bucket.s3()
                    .putObject(
                            b -> b.bucket(bucket.name())
                                    .key(key(id, "progress"))
                                    .contentLength((long) progress.length)
                                    .serverSideEncryption(bucket.sse())
                                    .overrideConfiguration(bucket.deadline(progress.length)),
                            AsyncRequestBody.fromBytes(progress))
                    .thenRun(() -> recorded = true);
        }

        /** Waits until every part sent is recorded, in order; rethrows the first failure (no later part is recorded). */
        private void awaitAll() throws Exception {
            sending.clear();
            recording.get();
        }

        /** Waits for the parts in flight and their recording to end, whatever they end with. */
        private void forgetSending() {
            sending.clear();
            try {
                recording.get();
            } catch (Exception ignored) {
                // a part not recorded: the multipart upload drops it when completed without it
            }
        }

        /**
         * Records what arrived: the parts in flight once answered; the tail as a new object (none when the bytes end on
         * a part boundary before the upload's known length: that part is sent too), then the progress naming it and
         * the parts, then the old tail goes; gives the buffer back.
         */
        long keep() throws Exception {
            try {
                long end = (long) (sent - 1) * partSize + filled; // every part sent, and the one filling
                if (filled == partSize && length.isPresent() && end < length.getAsLong()) {
                    sendPart(); // more bytes will come: the tail never needs to give this part's last byte back
                }
                awaitAll();
                PartBuffer tail = bytes();
                Progress after = before.withTail(List.copyOf(parts), filled);
                if (filled > 0) { // else no tail object: the progress says its size is 0
                    bucket.s3()
                            .putObject(
                                    b -> b.bucket(bucket.name())
                                            .key(tailKey(id, after))
                                            .contentLength(filled)
                                            .serverSideEncryption(bucket.sse())
                                            .overrideConfiguration(bucket.deadline(filled)),
                                    tail.body("application/octet-stream"))
                            .get();
                    arrays.giveBack(chunks); // stored whole
                }
                save(id, after);
                if (before.tail() > 0 || before.generation() > 0) {
                    deleteQuietly(tailKey(id, before)); // left behind if this fails: removed with the upload
                }
                return after.offset(partSize);
            } finally {
                release();
            }
        }

        /** A refused chunk: the progress as before it (the tail object was not touched); gives the buffer back. */
        void discard() {
            try {
                forgetSending();
                if (recorded) {
                    save(id, before);
                }
            } catch (Exception e) {
                // the parts recorded stay: a prefix of the bytes the client sent, which the next HEAD reports
            } finally {
                release();
            }
        }

        void release() {
            budgetPart.release();
        }
    }

    @Override
    public Uni<Long> append(
            TusUploadId id,
            long offset,
            OptionalLong length,
            Multi<ByteBuffer> body,
            Predicate<Throwable> keepOnFailure) {
        return appends.track(id, settling -> tracked(id, offset, length, body, keepOnFailure, settling));
    }

    /** {@link #append}, tracked by {@link #appends}: {@code settling} is told when a cancelled one settles on the side. */
    private Uni<Long> tracked(
            TusUploadId id,
            long offset,
            OptionalLong length,
            Multi<ByteBuffer> body,
            Predicate<Throwable> keepOnFailure,
            AppendsInFlight.Settling settling) {
        // the first stage's result (a Filling; a Progress: the upload was complete), claimed once by the append or by
        // its cancellation, which then gives a filling back untouched once it is made (the lease waits for that)
        AppendsInFlight.FirstStep<Object> first = settling.firstStep(executor, made -> {
            if (made instanceof Filling filling) {
                untouched(id, filling);
            }
        });
        return blocking(() -> first.run(() -> prepare(id, offset, length, keepOnFailure, first::cancelled)))
                .onFailure()
                .invoke(() -> first.ended(null)) // the stage never ran (the executor refused it)
                .chain(made -> {
                    if (!first.take()) { // cancelled meanwhile: the cancellation settles it
                        return Uni.createFrom().failure(new CancellationException("the append was cancelled"));
                    }
                    if (made instanceof Progress completed) {
                        return givenBackByte(id, completed, body);
                    }
                    Filling filling = (Filling) made;
                    return body.emitOn(executor, 16)
                            .onItem()
                            .invoke(buffer -> {
                                try {
                                    filling.accept(buffer);
                                } catch (ExecutionException e) {
                                    throw asRuntime(S3Errors.translate(e.getCause()));
                                } catch (Exception e) {
                                    throw asRuntime(e);
                                }
                            })
                            .collect()
                            .last()
                            .emitOn(executor)
                            .chain(ignored -> blocking(filling::keep))
                            .invoke(newOffset -> kept(id, filling, newOffset))
                            .onFailure()
                            .call(e -> keepOnFailure.test(e)
                                    ? blocking(filling::keep)
                                            .invoke(newOffset -> kept(id, filling, newOffset))
                                            .onFailure()
                                            .recoverWithNull()
                                            .replaceWithVoid()
                                    : blocking(() -> {
                                        filling.discard();
                                        return null;
                                    }))
                            .onCancellation()
                            .invoke(() -> {
                                filling.cancelled = true;
                                // the lease waits for this (settled)
                                settling.onTheSide(executor, () -> {
                                    try {
                                        if (keepOnFailure.test(null)) {
                                            kept(id, filling, filling.keep());
                                        } else {
                                            filling.discard();
                                        }
                                    } catch (Exception ignored) {
                                        // the next HEAD reports what was recorded before
                                    } finally {
                                        filling.release();
                                    }
                                });
                            });
                });
    }

    /**
     * An append's first stage, on the executor: the upload's progress (its offset must be {@code offset}), then, unless
     * the upload is complete, a new {@link Filling} holding the old tail (read from the bucket) and the running digest.
     * It only reads: when it fails, or gives up waiting for buffer budget for the tail once {@code cancelled} (the
     * upload's lease waits for this stage), the filling is given back {@link #untouched}.
     */
    private Object prepare(
            TusUploadId id,
            long offset,
            OptionalLong length,
            Predicate<Throwable> keepOnFailure,
            BooleanSupplier cancelled)
            throws Exception {
        Progress p = progress(id).orElseThrow(() -> ReelvaultException.notFound("upload"));
        if (p.offset(partSize) != offset) {
            throw new ReelvaultException(
                    ErrorCode.OFFSET_MISMATCH, "the upload's offset is " + p.offset(partSize) + ", not " + offset);
        }
        if (p.completed()) {
            return p;
        }
        Filling filling = new Filling(id, p, keepOnFailure.test(null), length, digests.take(id, offset));
        filling.abandoned = cancelled;
        try {
            if (p.tail() > 0) {
                byte[] tail = get(tailKey(id, p)).orElse(new byte[0]);
                if (tail.length != p.tail()) {
                    throw new ReelvaultException(ErrorCode.STORAGE_UNAVAILABLE, "a tus upload's tail is missing");
                }
                filling.fill(ByteBuffer.wrap(tail)); // hashed when it arrived
            }
        } catch (Exception | Error e) {
            untouched(id, filling);
            throw e;
        }
        return filling;
    }

    /**
     * A filling that no byte of its PATCH reached (the append was cancelled before its body): nothing in the bucket
     * changed, so its buffer goes back and its running digest is kept for the next append, which the lease waits for.
     */
    private void untouched(TusUploadId id, Filling filling) {
        try {
            kept(id, filling, filling.before.offset(partSize));
        } finally {
            filling.release();
        }
    }

    @Override
    public Uni<Void> settled(TusUploadId id) {
        return appends.settled(id);
    }

    /**
     * After a PATCH whose bytes were recorded, however it ended: its running digest is kept when it covers exactly the
     * upload's bytes (a success, or an interruption that kept every byte that arrived).
     */
    private void kept(TusUploadId id, Filling filling, long offset) {
        filling.digest.filter(d -> d.end() == offset).ifPresent(d -> digests.keep(id, d));
    }

    /**
     * A completed upload whose publication failed gave its last byte back ({@link #truncate}); the PATCH that sends it
     * again is taken as is (the object already holds it).
     */
    private Uni<Long> givenBackByte(TusUploadId id, Progress p, Multi<ByteBuffer> body) {
        long total = (long) p.parts().size() * partSize + p.tail();
        byte[] sent = new byte[(int) p.givenBack()];
        long[] count = {0};
        return body.onItem()
                .invoke(buffer -> {
                    ByteBuffer b = buffer.duplicate();
                    while (b.hasRemaining()) {
                        if (count[0] >= sent.length) {
                            throw new ReelvaultException(
                                    ErrorCode.PAYLOAD_TOO_LARGE,
                                    "only the last " + sent.length + " bytes of the upload are missing");
                        }
                        sent[(int) count[0]++] = b.get();
                    }
                })
                .collect()
                .last()
                .chain(ignored -> blocking(() -> {
                    if (count[0] != sent.length) {
                        return p.offset(partSize) + count[0] == total ? total : p.offset(partSize);
                    }
                    byte[] stored = bucket.s3()
                            .getObject(
                                    b -> b.bucket(bucket.name())
                                            .key(key(id, "data"))
                                            .range("bytes=" + (total - sent.length) + "-" + (total - 1))
                                            .overrideConfiguration(bucket.deadline()),
                                    AsyncResponseTransformer.toBytes())
                            .get()
                            .asByteArray();
                    if (!java.util.Arrays.equals(stored, sent)) {
                        throw new ReelvaultException(
                                ErrorCode.CONFLICT, "the resent bytes are not the ones this upload received before");
                    }
                    Progress restored = new Progress(p.uploadId(), p.parts(), p.tail(), true, 0, p.generation());
                    save(id, restored);
                    return restored.offset(partSize);
                }));
    }

    @Override
    public Uni<Void> truncate(TusUploadId id, long offset) {
        return blocking(() -> {
            digests.forget(id);
            Optional<Progress> found = progress(id);
            if (found.isEmpty()) {
                return null;
            }
            Progress p = found.get();
            long full = (long) p.parts().size() * partSize;
            if (p.completed()) {
                long total = full + p.tail();
                save(id, new Progress(p.uploadId(), p.parts(), p.tail(), true, total - offset, p.generation()));
            } else if (offset >= full) {
                byte[] tail = get(tailKey(id, p)).orElse(new byte[0]);
                int keep = (int) (offset - full);
                byte[] cut = new byte[Math.min(keep, tail.length)];
                System.arraycopy(tail, 0, cut, 0, cut.length);
                Progress after = p.withTail(p.parts(), cut.length);
                put(tailKey(id, after), cut);
                save(id, after);
                deleteQuietly(tailKey(id, p));
            } else {
                throw new IllegalStateException("a tus upload on S3 can only give back bytes of its tail");
            }
            return null;
        });
    }

    /**
     * A finished upload's object in the bucket, for {@link ObjectWrites} to copy by the server ({@link AdoptableBody});
     * {@code ready} completes the multipart upload first when it is not yet.
     */
    record TusObject(String key, Uni<Void> ready) {}

    @Override
    public Multi<ByteBuffer> whole(TusUploadId id, long length) {
        Uni<Void> ready = blocking(() -> {
            Progress p = progress(id).orElseThrow(() -> ReelvaultException.notFound("upload"));
            if (!p.completed()) {
                complete(id, p);
            }
            return null;
        });
        return AdoptableBody.of(
                read(id, 0), new TusObject(key(id, "data"), ready), length, digests.finished(id, length));
    }

    @Override
    public Multi<ByteBuffer> read(TusUploadId id, long from) {
        return blocking(() -> {
                    Progress p = progress(id).orElseThrow(() -> ReelvaultException.notFound("upload"));
                    if (!p.completed()) {
                        complete(id, p);
                    }
                    return null;
                })
                .onItem()
                .transformToMulti(v -> Uni.createFrom()
                        .completionStage(() -> bucket.s3()
                                .getObject(
                                        b -> b.bucket(bucket.name())
                                                .key(key(id, "data"))
                                                .range(from > 0 ? "bytes=" + from + "-" : null)
                                                .overrideConfiguration(bucket.deadline()),
                                        AsyncResponseTransformer.<GetObjectResponse>toPublisher()))
                        .onItem()
                        .transformToMulti(
                                publisher -> Multi.createFrom().publisher(AdaptersToFlow.publisher(publisher))))
                .onFailure()
                .transform(e -> e instanceof ReelvaultException ? e : S3Errors.translate(e));
    }

    /** Sends the tail as the last part and completes the multipart upload (an empty upload: an empty object). */
    private void complete(TusUploadId id, Progress p) throws Exception {
        List<CompletedPart> parts = new ArrayList<>(p.parts());
        if (p.tail() > 0) {
            byte[] tail = get(tailKey(id, p)).orElseThrow();
            int number = parts.size() + 1;
            String etag = bucket.s3()
                    .uploadPart(
                            b -> b.bucket(bucket.name())
                                    .key(key(id, "data"))
                                    .uploadId(p.uploadId())
                                    .partNumber(number)
                                    .contentLength((long) tail.length)
                                    .overrideConfiguration(bucket.deadline(tail.length)),
                            AsyncRequestBody.fromBytes(tail))
                    .get()
                    .eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        }
        if (parts.isEmpty()) {
            abort(id, p);
            put(key(id, "data"), new byte[0]);
        } else {
            long total = (long) p.parts().size() * partSize + p.tail();
            bucket.s3()
                    .completeMultipartUpload(b -> b.bucket(bucket.name())
                            .key(key(id, "data"))
                            .uploadId(p.uploadId())
                            .multipartUpload(m -> m.parts(parts))
                            .overrideConfiguration(bucket.deadline(total)))
                    .get();
        }
        save(id, new Progress(p.uploadId(), p.parts(), p.tail(), true, 0, p.generation()));
    }

    private void abort(TusUploadId id, Progress p) throws Exception {
        try {
            bucket.s3()
                    .abortMultipartUpload(b -> b.bucket(bucket.name())
                            .key(key(id, "data"))
                            .uploadId(p.uploadId())
                            .overrideConfiguration(bucket.deadline()))
                    .get();
        } catch (ExecutionException e) {
            if (!S3Errors.isNotFound(e.getCause())) {
                throw e;
            }
        }
    }

    @Override
    public Uni<Void> deleteBytes(TusUploadId id) {
        return blocking(() -> {
            removeBytes(id);
            return null;
        });
    }

    private void removeBytes(TusUploadId id) throws Exception {
        digests.forget(id);
        Optional<Progress> p = progress(id);
        if (p.isPresent() && !p.get().completed()) {
            abort(id, p.get());
        }
        deleteQuietly(key(id, "data"));
        for (String tail : tails(id)) { // every generation a failed write or a crash may have left
            deleteQuietly(tail);
        }
        deleteQuietly(key(id, "progress"));
    }

    /** The keys of the upload's tail objects: the current one, and any a failed write or a crash left. */
    private List<String> tails(TusUploadId id) throws Exception {
        List<String> keys = new ArrayList<>();
        bucket.s3()
                .listObjectsV2Paginator(b -> b.bucket(bucket.name()).prefix(key(id, "tail")))
                .contents()
                .subscribe(o -> keys.add(o.key()))
                .get();
        return keys;
    }

    @Override
    public Uni<Void> delete(TusUploadId id) {
        return blocking(() -> {
            removeBytes(id);
            deleteQuietly(key(id, "state.json"));
            return null;
        });
    }

    @Override
    public Uni<List<TusUploadId>> list() {
        return blocking(() -> {
            List<TusUploadId> ids = new ArrayList<>();
            bucket.s3()
                    .listObjectsV2Paginator(
                            b -> b.bucket(bucket.name()).prefix(PREFIX).delimiter("/"))
                    .commonPrefixes()
                    .subscribe((CommonPrefix c) -> {
                        String name =
                                c.prefix().substring(PREFIX.length(), c.prefix().length() - 1);
                        try {
                            ids.add(TusUploadId.parse(name));
                        } catch (ReelvaultException notOurs) {
                            // not an upload
                        }
                    })
                    .get();
            return ids;
        });
    }
}
