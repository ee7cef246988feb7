package io.reelvault.service.temp;

import io.reelvault.error.ReelvaultException;
import io.reelvault.model.Area;
import io.reelvault.model.JobId;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.StorageLayout;
import io.reelvault.model.TempName;
import io.reelvault.model.UrlPurpose;
import io.reelvault.service.SignedUrlService;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.artifact.Batches;
import io.reelvault.storage.ObjectStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Processing jobs' intermediate files under {@code temp/{job_id}/processing/}: streamed in, handed
 * out as 30-minute URLs (never past the file's own expiry: 7 days after it was written, rounded up
 * to 00:00 UTC), deleted a job at a time.
 */
@ApplicationScoped
public class TempService {
    private final ObjectStore store;
    private final ArtifactWriter writer;
    private final SignedUrlService urls;

    public TempService(ObjectStore store, ArtifactWriter writer, SignedUrlService urls) {
        this.store = store;
        this.writer = writer;
        this.urls = urls;
    }

    /** A stored temp file. */
    public record TempFile(String jobId, String name, String key, long sizeBytes, String sha256, Instant expiresAt) {}

    /** Streams a temp file in, replacing one of the same name; {@code .mp4} names must be MP4 by content. */
    public Uni<TempFile> put(JobId job, TempName name, OptionalLong length, Multi<ByteBuffer> body) {
        ObjectKey key = StorageLayout.tempFile(job, name);
        return writer.write(key, name.requiredType().orElse(null), length, body)
                .map(stored -> new TempFile(
                        job.value(),
                        name.value(),
                        key.value(),
                        stored.info().size(),
                        stored.sha256(),
                        Area.TEMP.expiresAt(stored.info().lastModified()).orElseThrow()));
    }

    /** A 30-minute GET URL: {@code not_found} when there is no such file, {@code expired} past its retention. */
    public Uni<SignedUrlView> url(JobId job, TempName name) {
        ObjectKey key = StorageLayout.tempFile(job, name);
        return store.head(key)
                .map(found -> found.map(info -> urls.sign(
                                UrlPurpose.PROCESSING,
                                key,
                                Map.of(),
                                Area.TEMP.expiresAt(info.lastModified()).orElseThrow()))
                        .orElseThrow(() -> ReelvaultException.notFound("temp file")));
    }

    /** Deletes every file of the job (idempotent: a job with no files is already deleted). */
    public Uni<Void> deleteJob(JobId job) {
        return Batches.deleteAll(store, StorageLayout.tempJob(job));
    }
}
