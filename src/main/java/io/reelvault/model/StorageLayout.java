package io.reelvault.model;

/**
 * The key layout of DESIGN.md, built only from typed values. Nothing else in the service builds a
 * key from text.
 */
public final class StorageLayout {
    private StorageLayout() {}

    /** {@code uploads/{user_id}/} */
    public static KeyPrefix uploadsOf(UserId user) {
        return new KeyPrefix(Area.UPLOADS.segment() + "/" + user.value() + "/");
    }

    /** {@code uploads/{user_id}/{upload_id}/} */
    public static KeyPrefix upload(UserId user, UploadId upload) {
        return new KeyPrefix(uploadsOf(user).value() + upload.value() + "/");
    }

    /** {@code uploads/{user_id}/{upload_id}/original.{ext}} */
    public static ObjectKey uploadOriginal(UserId user, UploadId upload, FileType type) {
        return new ObjectKey(upload(user, upload).value() + "original." + type.extension());
    }

    /** {@code uploads/{user_id}/{upload_id}/pending.json}: a presigned upload not yet completed. */
    public static ObjectKey uploadPending(UserId user, UploadId upload) {
        return new ObjectKey(upload(user, upload).value() + "pending.json");
    }

    /** {@code uploads/{user_id}/{upload_id}/metadata.json} */
    public static ObjectKey uploadMetadata(UserId user, UploadId upload) {
        return new ObjectKey(upload(user, upload).value() + "metadata.json");
    }

    /** {@code generations/} or {@code compositions/} ... : every object of an area. */
    public static KeyPrefix area(Area area) {
        return new KeyPrefix(area.segment() + "/");
    }

    /** {@code generations/{generation_id}/} */
    public static KeyPrefix generation(GenerationId id) {
        return new KeyPrefix(area(Area.GENERATIONS).value() + id.value() + "/");
    }

    /** {@code generations/{generation_id}/metadata.json} */
    public static ObjectKey generationMetadata(GenerationId id) {
        return new ObjectKey(generation(id).value() + "metadata.json");
    }

    /** {@code generations/{generation_id}/clips/} */
    public static KeyPrefix clips(GenerationId id) {
        return new KeyPrefix(generation(id).value() + "clips/");
    }

    /** {@code generations/{generation_id}/clips/clip_NNN.mp4} */
    public static ObjectKey clip(GenerationId id, ClipNumber n) {
        return new ObjectKey(clips(id).value() + n.name() + ".mp4");
    }

    /** {@code generations/{generation_id}/thumbnails/clip_NNN.jpg} */
    public static ObjectKey clipThumbnail(GenerationId id, ClipNumber n) {
        return new ObjectKey(generation(id).value() + "thumbnails/" + n.name() + ".jpg");
    }

    /** {@code generations/{generation_id}/audio/background.mp3} */
    public static ObjectKey generationAudio(GenerationId id) {
        return new ObjectKey(generation(id).value() + "audio/background.mp3");
    }

    /** {@code compositions/{composition_id}/} */
    public static KeyPrefix composition(CompositionId id) {
        return new KeyPrefix(area(Area.COMPOSITIONS).value() + id.value() + "/");
    }

    /** {@code compositions/{composition_id}/final.mp4} */
    public static ObjectKey compositionFinal(CompositionId id) {
        return new ObjectKey(composition(id).value() + "final.mp4");
    }

    /** {@code compositions/{composition_id}/thumbnail.jpg} */
    public static ObjectKey compositionThumbnail(CompositionId id) {
        return new ObjectKey(composition(id).value() + "thumbnail.jpg");
    }

    /** {@code compositions/{composition_id}/timeline.json} */
    public static ObjectKey compositionTimeline(CompositionId id) {
        return new ObjectKey(composition(id).value() + "timeline.json");
    }

    /** {@code compositions/{composition_id}/metadata.json} */
    public static ObjectKey compositionMetadata(CompositionId id) {
        return new ObjectKey(composition(id).value() + "metadata.json");
    }

    /** {@code temp/{job_id}/} */
    public static KeyPrefix tempJob(JobId job) {
        return new KeyPrefix(area(Area.TEMP).value() + job.value() + "/");
    }

    /** {@code temp/{job_id}/processing/{name}} */
    public static ObjectKey tempFile(JobId job, TempName name) {
        return new ObjectKey(tempJob(job).value() + "processing/" + name.value());
    }
}
