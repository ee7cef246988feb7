package io.reelvault.service.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.reelvault.model.ObjectKey;
import io.reelvault.service.Failures;
import io.reelvault.service.artifact.MetadataStore;
import io.reelvault.storage.DirectMultipart;
import io.reelvault.storage.ObjectStore;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code uploads/{user_id}/{upload_id}/multipart.json}: what a direct multipart upload promised, read back by its part
 * signing, listing, completion and abort. Never listed as an upload; removed when the upload completes or is aborted,
 * and by the {@link UploadSweeper} (with the storage's upload) once {@code expiresAt} and the grace have passed.
 *
 * @param storageUploadId the storage's id of the multipart upload (S3's UploadId); never shown to clients
 * @param sizeBytes       the file's exact length
 * @param partSize        every part's length but the last's
 * @param partCount       how many parts, 1 to 10,000
 * @param expiresAt       when part URLs stop being signed
 */
public record MultipartRecord(
        String uploadId,
        String userId,
        String key,
        String filename,
        String contentType,
        long sizeBytes,
        long partSize,
        int partCount,
        String storageUploadId,

        @JsonDeserialize(using = IsoInstantDeserializer.class)
        Instant createdAt,

        @JsonDeserialize(using = IsoInstantDeserializer.class)
        Instant expiresAt) {

    /**
     * For the sweeps: aborts the storage's multipart upload that the record at {@code recordKey} names (its parts are
     * then gone); nothing when the record is gone (completed or aborted meanwhile) or the store has no direct multipart
     * uploads. Blocking.
     */
    public static void abortRecorded(ObjectStore store, ObjectMapper json, ObjectKey recordKey) {
        Optional<DirectMultipart> direct = store.capability(DirectMultipart.class);
        if (direct.isEmpty()) {
            return;
        }
        MultipartRecord r;
        try {
            r = new MetadataStore(store, json)
                    .read(recordKey, MultipartRecord.class)
                    .await()
                    .indefinitely();
        } catch (RuntimeException e) {
            if (Failures.isNotFound(e)) {
                return; // completed or aborted meanwhile
            }
            throw e;
        }
        direct.get()
                .abort(ObjectKey.parse(r.key()), r.storageUploadId())
                .await()
                .indefinitely();
    }

    /** The exact length of part {@code number} (1-based). */
    public long partLength(int number) {
        return number < partCount ? partSize : sizeBytes - partSize * (long) (partCount - 1);
    }
}
