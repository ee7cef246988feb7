package io.reelvault.service.generation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.service.artifact.ArtifactDocument;
import io.reelvault.service.artifact.StoredArtifact;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code generations/{generation_id}/metadata.json}.
 *
 * @param status      {@code pending} until {@code complete}, then {@code completed}; {@code failed} by {@code fail}
 * @param expiresAt   creation + 30 days rounded up to 00:00 UTC; never served at or after it
 * @param clips       the clips in number order; complete() reconciles them with what is stored
 * @param audio       the background audio, when uploaded
 * @param fingerprint the parameters' fingerprint and {@code promptKey} the normalised prompt's key, by which the
 *                    similar-generation cache finds it; null when created with {@code ?reuse=false}
 * @param failure     why the pipeline gave up on it ({@code status: failed})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationMetadata(
        String generationId,
        String userId,
        String prompt,
        JsonNode parameters,
        GenerationStatus status,
        Instant createdAt,
        Instant expiresAt,
        Instant completedAt,
        List<ClipRecord> clips,
        StoredArtifact audio,
        String fingerprint,
        String promptKey,
        String failure)
        implements ArtifactDocument {

    public GenerationMetadata {
        clips = clips == null ? List.of() : List.copyOf(clips);
    }

    boolean completed() {
        return status == GenerationStatus.COMPLETED;
    }

    /** With {@code clip} added, or replacing the record of the same number. */
    GenerationMetadata withClip(ClipRecord clip) {
        List<ClipRecord> next = new ArrayList<>(clips);
        next.removeIf(c -> c.clip() == clip.clip());
        next.add(clip);
        next.sort(Comparator.comparingInt(ClipRecord::clip));
        return withClips(next);
    }

    GenerationMetadata withClips(List<ClipRecord> next) {
        return new GenerationMetadata(
                generationId,
                userId,
                prompt,
                parameters,
                status,
                createdAt,
                expiresAt,
                completedAt,
                next,
                audio,
                fingerprint,
                promptKey,
                failure);
    }

    GenerationMetadata withAudio(StoredArtifact next) {
        return new GenerationMetadata(
                generationId,
                userId,
                prompt,
                parameters,
                status,
                createdAt,
                expiresAt,
                completedAt,
                clips,
                next,
                fingerprint,
                promptKey,
                failure);
    }

    GenerationMetadata completedAt(Instant at) {
        return new GenerationMetadata(
                generationId,
                userId,
                prompt,
                parameters,
                GenerationStatus.COMPLETED,
                createdAt,
                expiresAt,
                at,
                clips,
                audio,
                fingerprint,
                promptKey,
                null);
    }

    GenerationMetadata failed(String why) {
        return new GenerationMetadata(
                generationId,
                userId,
                prompt,
                parameters,
                GenerationStatus.FAILED,
                createdAt,
                expiresAt,
                null,
                clips,
                audio,
                fingerprint,
                promptKey,
                why);
    }

    ClipRecord clip(int number) {
        return clips.stream().filter(c -> c.clip() == number).findFirst().orElse(null);
    }
}
