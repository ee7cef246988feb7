package io.reelvault.api.openapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.reelvault.api.UploadResource;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.UsageService;
import io.reelvault.service.artifact.MetadataPage;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.composition.CompositionMetadata;
import io.reelvault.service.composition.CompositionService;
import io.reelvault.service.generation.ClipRecord;
import io.reelvault.service.generation.GenerationCreated;
import io.reelvault.service.generation.GenerationMetadata;
import io.reelvault.service.generation.GenerationView;
import io.reelvault.service.temp.TempService;
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.service.upload.PresignedUpload;
import io.reelvault.service.upload.UploadMetadata;
import io.reelvault.service.upload.UploadPage;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Which properties of an answer are always there: answers never carry {@code null} (a field without a value is left
 * out, {@link JsonInclude.Include#NON_NULL}), so a record component is in every answer unless it, or its record, is
 * {@code @JsonInclude} other than {@code ALWAYS}, or it is primitive (always written). Those are listed as the
 * schema's {@code required}, so that a client generated from the document types them as present, and a validator
 * refuses an answer that lacks one. The answers' schemas by name; {@code OpenApiTest} fails on a component schema
 * that is neither here nor a request body.
 */
public final class AnswerSchemas {
    public static final Map<String, Class<? extends Record>> RECORDS = Map.ofEntries(
            Map.entry("UploadMetadata", UploadMetadata.class),
            Map.entry("UploadPage", UploadPage.class),
            Map.entry("PresignedUpload", PresignedUpload.class),
            Map.entry("MultipartStarted", MultipartUploadService.MultipartStarted.class),
            Map.entry("PartUrls", UploadResource.PartUrls.class),
            Map.entry("PartUrl", MultipartUploadService.PartUrl.class),
            Map.entry("UploadedPart", MultipartUploadService.UploadedPart.class),
            Map.entry("UploadedPartPage", MultipartUploadService.UploadedPartPage.class),
            Map.entry("SignedUrlView", SignedUrlView.class),
            Map.entry("MetadataPageGenerationMetadata", MetadataPage.class),
            Map.entry("MetadataPageCompositionMetadata", MetadataPage.class),
            Map.entry("Examined", MetadataPage.Examined.class),
            Map.entry("StoredArtifact", StoredArtifact.class),
            Map.entry("CompositionMetadata", CompositionMetadata.class),
            Map.entry("Compression", CompositionMetadata.Compression.class),
            Map.entry("Download", CompositionService.Download.class),
            Map.entry("GenerationCreated", GenerationCreated.class),
            Map.entry("GenerationMetadata", GenerationMetadata.class),
            Map.entry("GenerationView", GenerationView.class),
            Map.entry("Clip", GenerationView.Clip.class),
            Map.entry("Audio", GenerationView.Audio.class),
            Map.entry("ClipRecord", ClipRecord.class),
            Map.entry("TempFile", TempService.TempFile.class),
            Map.entry("UsageView", UsageService.UsageView.class),
            Map.entry("AreaUsage", UsageService.AreaUsage.class));

    private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE =
            new PropertyNamingStrategies.SnakeCaseStrategy();

    private AnswerSchemas() {}

    /** Sets {@code required} on each answer schema the document has. */
    static void markRequired(Components components) {
        if (components == null || components.getSchemas() == null) {
            return;
        }
        RECORDS.forEach((name, type) -> {
            Schema schema = components.getSchemas().get(name);
            if (schema == null || schema.getProperties() == null) {
                return;
            }
            List<String> required = new ArrayList<>();
            for (RecordComponent c : type.getRecordComponents()) {
                String property = SNAKE.translate(c.getName());
                if (schema.getProperties().containsKey(property) && alwaysWritten(type, c)) {
                    required.add(property);
                }
            }
            schema.setRequired(required.isEmpty() ? null : required);
        });
    }

    private static boolean alwaysWritten(Class<?> type, RecordComponent c) {
        if (c.getType().isPrimitive()) {
            return true;
        }
        try {
            return !omits(type) && !omits(type.getDeclaredField(c.getName())) && !omits(c.getAccessor());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean omits(AnnotatedElement element) {
        JsonInclude include = element.getAnnotation(JsonInclude.class);
        return include != null && include.value() != JsonInclude.Include.ALWAYS;
    }
}
