package io.reelvault.service.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.cluster.DocumentLeases;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.media.MediaTools;
import io.reelvault.model.Area;
import io.reelvault.service.SignedUrlService;
import io.reelvault.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.function.Function;

/**
 * What the artifact workflow shared by generations and compositions needs (storage, metadata documents, signed URLs,
 * ffmpeg), handed out as one {@link ArtifactDocuments} per kind of artifact.
 */
@ApplicationScoped
public class ArtifactWorkflow {
    final ObjectStore store;
    final MetadataStore metadata;
    final Clock clock;
    final SignedUrlService urls;
    final MediaTools media;
    final int thumbnailWidth;
    final ReelvaultConfig.Query queryCaps;
    final ArtifactWriter writer;

    public ArtifactWorkflow(
            ObjectStore store,
            ObjectMapper json,
            DocumentLeases leases,
            Clock clock,
            SignedUrlService urls,
            MediaTools media,
            ArtifactWriter writer,
            ReelvaultConfig config) {
        this.store = store;
        this.writer = writer;
        this.metadata = new MetadataStore(store, json, leases);
        this.clock = clock;
        this.urls = urls;
        this.media = media;
        this.thumbnailWidth = config.pipeline().thumbnailWidth();
        this.queryCaps = config.query();
    }

    public ObjectStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * The documents of one kind of artifact.
     *
     * @param what     the artifact's name in errors ({@code generation}: "the generation passed its retention")
     * @param idPrefix its ids' prefix ({@code gen}), by which listings seek
     */
    public <T extends ArtifactDocument> ArtifactDocuments<T> documents(
            Class<T> type, String what, Area area, String idPrefix, Function<T, String> idOf) {
        return new ArtifactDocuments<>(this, type, what, area, idPrefix, idOf);
    }
}
