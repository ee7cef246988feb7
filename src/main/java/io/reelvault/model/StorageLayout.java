package io.reelvault.model;

import io.reelvault.error.ReelvaultException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The key layout of DESIGN.md, built only from typed values. Nothing else in the service builds a
 * key from text, or reads one back: the {@code parse...} methods are the inverses of the builders, empty for a key
 * the builder could not have made.
 */
public final class StorageLayout {
    private static final String METADATA = "metadata.json";

    private StorageLayout() {}

    /** A clip (or its thumbnail) of a generation, as read back from its key. */
    public record ClipKey(GenerationId generation, ClipNumber clip) {}

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

    /** {@code uploads/{user_id}/{upload_id}/multipart.json}: a direct multipart upload not yet completed. */
    public static ObjectKey uploadMultipart(UserId user, UploadId upload) {
        return new ObjectKey(upload(user, upload).value() + "multipart.json");
    }

    /** {@code uploads/{user_id}/{upload_id}/metadata.json} */
    public static ObjectKey uploadMetadata(UserId user, UploadId upload) {
        // one key checked, not its two prefixes too: read on every metadata GET
        return new ObjectKey(Area.UPLOADS.segment() + "/" + user.value() + "/" + upload.value() + "/" + METADATA);
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
        return new ObjectKey(generation(id).value() + METADATA);
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

    private static final String MULTIPART_FOLDER = "multipart";

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
        return new ObjectKey(composition(id).value() + METADATA);
    }

    /**
     * {@code compositions/{composition_id}/multipart/{upload_id}/}: a direct multipart upload of the final render, its
     * record and, between its assembly and its publication, its staging object.
     */
    public static KeyPrefix compositionFinalMultipart(CompositionId id, UploadId upload) {
        return new KeyPrefix(composition(id).value() + MULTIPART_FOLDER + "/" + upload.value() + "/");
    }

    /** {@code compositions/{composition_id}/multipart/{upload_id}/multipart.json} */
    public static ObjectKey compositionFinalMultipartRecord(CompositionId id, UploadId upload) {
        return new ObjectKey(compositionFinalMultipart(id, upload).value() + "multipart.json");
    }

    /** {@code compositions/{composition_id}/multipart/{upload_id}/final.mp4}: the parts assembled, not yet verified. */
    public static ObjectKey compositionFinalStaging(CompositionId id, UploadId upload) {
        return new ObjectKey(compositionFinalMultipart(id, upload).value() + "final.mp4");
    }

    /** The composition and upload of a key under {@link #compositionFinalMultipart}; empty for any other key. */
    public static Optional<FinalUpload> parseCompositionFinalMultipart(ObjectKey key) {
        String[] s = key.value().split("/", -1);
        if (s.length != 5 || !s[0].equals(Area.COMPOSITIONS.segment()) || !s[2].equals(MULTIPART_FOLDER)) {
            return Optional.empty();
        }
        return parsed(() -> new FinalUpload(CompositionId.parse(s[1]), UploadId.parse(s[3])));
    }

    /** A direct multipart upload of a composition's final render. */
    public record FinalUpload(CompositionId composition, UploadId upload) {}

    /** The inverse of {@link #clip}. */
    public static Optional<ClipKey> parseClip(ObjectKey key) {
        return parseClipFile(key, "clips", ".mp4");
    }

    /** The inverse of {@link #clipThumbnail}. */
    public static Optional<ClipKey> parseClipThumbnail(ObjectKey key) {
        return parseClipFile(key, "thumbnails", ".jpg");
    }

    /** The inverse of {@link #generationMetadata}. */
    public static Optional<GenerationId> parseGenerationMetadata(ObjectKey key) {
        return parseMetadata(key, Area.GENERATIONS, GenerationId::parse);
    }

    /** The inverse of {@link #compositionMetadata}. */
    public static Optional<CompositionId> parseCompositionMetadata(ObjectKey key) {
        return parseMetadata(key, Area.COMPOSITIONS, CompositionId::parse);
    }

    /** {@code generations/{generation_id}/{folder}/clip_NNN{extension}} */
    private static Optional<ClipKey> parseClipFile(ObjectKey key, String folder, String extension) {
        String[] s = key.value().split("/", -1);
        if (s.length != 4
                || !s[0].equals(Area.GENERATIONS.segment())
                || !s[2].equals(folder)
                || !s[3].startsWith("clip_")
                || !s[3].endsWith(extension)) {
            return Optional.empty();
        }
        String number = s[3].substring("clip_".length(), s[3].length() - extension.length());
        return parsed(() -> new ClipKey(GenerationId.parse(s[1]), ClipNumber.parse(number)))
                // clip_1.mp4 is not clip_001.mp4
                .filter(c -> s[3].equals(c.clip().name() + extension));
    }

    /** {@code {area}/{id}/metadata.json} */
    private static <I> Optional<I> parseMetadata(ObjectKey key, Area area, Function<String, I> id) {
        String[] s = key.value().split("/", -1);
        if (s.length != 3 || !s[0].equals(area.segment()) || !s[2].equals(METADATA)) {
            return Optional.empty();
        }
        return parsed(() -> id.apply(s[1]));
    }

    private static <T> Optional<T> parsed(Supplier<T> parse) {
        try {
            return Optional.of(parse.get());
        } catch (ReelvaultException e) {
            return Optional.empty();
        }
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
