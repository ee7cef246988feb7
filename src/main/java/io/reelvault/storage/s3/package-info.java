/**
 * The S3 backend: {@link io.reelvault.storage.s3.S3ObjectStore} implements the storage contract on the AWS SDK's
 * async client (CRT HTTP client), and {@link io.reelvault.storage.s3.BucketAdmin} runs the operator's
 * {@code bucket setup} / {@code bucket verify}. The only package that touches the AWS SDK
 * ({@code ArchitectureTest}). Each job is a class of its own, package-private: {@code ObjectWrites} (which PutObject
 * or multipart), {@code MultipartUploads} / {@code MultipartUpload} / {@code PartReader} (the multipart upload),
 * {@code ConditionalWrites}, {@code ObjectReads} (ranges, HEAD, listing, readiness), {@code ObjectDeletes},
 * {@code PresignedUrls}, {@code AbandonedUploads} (the incomplete-write sweep), {@code S3ResumableWrites} (tus
 * uploads), {@code S3Errors} (every SDK failure translated at the boundary).
 *
 * <h2>Object layout</h2>
 *
 * One bucket ({@code REELVAULT_STORAGE_S3_BUCKET}); every key is {@code {area}/...} with the areas of
 * {@link io.reelvault.model.Area} ({@code uploads/}, {@code generations/}, {@code compositions/}, {@code temp/}),
 * built by {@link io.reelvault.model.StorageLayout}, e.g.
 * {@code uploads/{user_id}/{upload_id}/original.{ext}} and {@code .../metadata.json},
 * {@code generations/{generation_id}/clips/clip_NNN.mp4}, {@code compositions/{composition_id}/final.mp4},
 * {@code temp/{job_id}/processing/{name}}. An object is exactly the bytes written, with its {@code Content-Type};
 * nothing else is stored beside it (no info file, no user metadata): the service's own metadata documents are
 * objects of the layout like any other. Retention is the bucket's lifecycle rules
 * ({@link io.reelvault.storage.s3.BucketConfiguration}), which also abort multipart uploads left unfinished for a day.
 * Listings skip keys outside the layout.
 *
 * <p>Outside the areas, {@code .tus/{id}/} holds a resumable (tus) upload in progress ({@code S3ResumableWrites}): the
 * multipart upload of {@code data} (equal parts of {@code REELVAULT_STORAGE_S3_PART_SIZE}), {@code tail} (the bytes
 * short of a part; each new one a new object, {@code tail-1}, {@code tail-2}, ...), {@code progress} (upload id, parts
 * and ETags, tail size and generation; rewritten as each part is sent) and {@code state.json} (the service's
 * document). The tus sweep removes them at their expiry; the bucket's rule that aborts multipart uploads after a day
 * applies to them too, so keep {@code REELVAULT_TUS_EXPIRY} at most a day on S3.
 *
 * <h2>Writes and multipart uploads</h2>
 *
 * <ul>
 *   <li>A known length below 1 MiB is buffered (within the buffer budget) and sent as one PutObject, which the SDK
 *       may retry.
 *   <li>A known length from 1 MiB to {@code REELVAULT_STORAGE_S3_MULTIPART_THRESHOLD} streams as one PutObject, sent
 *       once (no SDK retry: the body is the caller's stream; a throttled or reset one is {@code storage_unavailable}
 *       with {@code Retry-After}).
 *   <li>A larger or unknown length is a multipart upload on an uploader thread ({@code reelvault-s3-multipart-N}):
 *       CreateMultipartUpload, parts of {@code REELVAULT_STORAGE_S3_PART_SIZE} (at least 5 MiB, growing so that no
 *       object needs more than 10,000 parts: with a known length from the start, with an unknown one doubling every
 *       1,000 parts, at most 5 GiB), up to {@code REELVAULT_STORAGE_S3_PART_CONCURRENCY} UploadPart requests in
 *       flight, then CompleteMultipartUpload. An unknown-length body that ends within its first part is sent as one
 *       PutObject instead. Part buffers are taken from {@code REELVAULT_STORAGE_S3_BUFFER_BUDGET}, shared by all
 *       uploads, as bytes arrive. A failed, cancelled or too long/short upload is aborted (AbortMultipartUpload,
 *       retried in the background for about ten minutes if S3 cannot be reached).
 *   <li>Every write requests {@code REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION} (SSE-S3 by default), and its SHA-256
 *       is computed as it streams. A conditional write carries {@code If-Match} or {@code If-None-Match: *} on its
 *       PutObject or CompleteMultipartUpload.
 *   <li>At stop the multipart uploads still running are cancelled and aborted; one whose process died is aborted by
 *       the incomplete-write sweep (ListMultipartUploads per area, ListParts for each candidate, AbortMultipartUpload)
 *       once it received nothing for {@code REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE}.
 * </ul>
 *
 * <h2>IAM permissions</h2>
 *
 * The running service (the task role, {@code deploy/iam/ecs-task-role-policy.json}), on
 * {@code {bucket}/uploads/*}, {@code generations/*}, {@code compositions/*}, {@code temp/*} and {@code .tus/*}:
 * <ul>
 *   <li>{@code s3:PutObject}: PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload, and the
 *       presigned PUTs it signs;
 *   <li>{@code s3:GetObject}: GetObject, HeadObject, and the presigned GETs it signs;
 *   <li>CopyObject and UploadPartCopy ({@link io.reelvault.storage.s3.ObjectCopies}: a verified object published at its
 *       final key; {@code ObjectWrites}: a finished tus upload's {@code .tus/{id}/data} copied into its key) need no
 *       grant of their own: {@code s3:GetObject} on the source and {@code s3:PutObject} on the target, both above;
 *   <li>{@code s3:DeleteObject}: DeleteObject and DeleteObjects;
 *   <li>{@code s3:AbortMultipartUpload} and {@code s3:ListMultipartUploadParts} (ListParts);
 *   <li>{@code s3:ListBucket} on the bucket, with an {@code s3:prefix} condition limiting it to the four areas and
 *       {@code .tus/} (the tus sweep):
 *       ListObjectsV2 for listings and for the readiness probe (one key of {@code uploads/}; HeadBucket would need
 *       the unconditioned grant). S3 answers a read of a missing key with 404 only to a caller that may list it
 *       (403 otherwise): {@code deploy/README.md} says how to confirm that the prefix-limited grant suffices.
 * </ul>
 * The incomplete-write sweep ({@code REELVAULT_STORAGE_INCOMPLETE_WRITE_SWEEP_ENABLED}, on by default) also calls
 * ListMultipartUploads, which needs {@code s3:ListBucketMultipartUploads} on the bucket (granted by the task role's
 * policy; without it each sweep is refused, {@code storage_refused}, logged, and only the bucket's lifecycle rule
 * aborts abandoned uploads, after a day).
 *
 * <p>The bucket commands ({@link io.reelvault.storage.s3.BucketAdmin}, {@code deploy/iam/bucket-admin-policy.json})
 * need, on the bucket, {@code s3:Put}/{@code s3:Get} of {@code BucketPublicAccessBlock},
 * {@code EncryptionConfiguration}, {@code LifecycleConfiguration}, {@code BucketCORS} and
 * {@code BucketVersioning}; never the task role's permissions.
 */
package io.reelvault.storage.s3;
