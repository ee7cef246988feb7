package io.reelvault.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.CompositionId;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.UserId;
import io.reelvault.service.ArtifactWriter;
import io.reelvault.service.CompositionMetadata;
import io.reelvault.service.CompositionService;
import io.reelvault.service.MetadataPage;
import io.reelvault.service.RateClass;
import io.reelvault.service.StoredArtifact;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/** {@code /api/v1/compositions}: timelines and their rendered final videos. Pipeline workers only. */
@Path("/api/v1/compositions")
@RolesAllowed(Caller.PIPELINE)
@Produces(MediaType.APPLICATION_JSON)
public class CompositionResource {
    private final CompositionService compositions;
    private final ArtifactWriter writer;
    private final Caller caller;

    public CompositionResource(CompositionService compositions, ArtifactWriter writer, Caller caller) {
        this.compositions = compositions;
        this.writer = writer;
        this.caller = caller;
    }

    /** {@code {generation_id?, timeline, user_id?}}. */
    public record CreateRequest(String generationId, JsonNode timeline, String userId) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<CompositionMetadata>> create(CreateRequest request) {
        if (request == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "a JSON body {generation_id?, timeline} is required");
        }
        UserId user = request.userId() == null ? caller.user() : UserId.parseRequested(request.userId());
        Optional<GenerationId> generation = Optional.ofNullable(request.generationId()).map(GenerationId::parse);
        return compositions.create(user, generation, request.timeline())
                .map(meta -> RestResponse.ResponseBuilder.<CompositionMetadata>created(
                        URI.create("/api/v1/compositions/" + meta.compositionId())).entity(meta).build());
    }

    /** The rendered video; {@code ?compress=true|false} overrides {@code REELVAULT_PIPELINE_COMPRESS}. */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{compositionId}/final")
    @Consumes(MediaType.WILDCARD)
    public Uni<CompositionMetadata> putFinal(@RestPath String compositionId, @RestQuery String compress,
            @Context HttpServerRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        boolean recompress = compress == null ? compositions.compressByDefault() : QueryParams.flag("compress", compress);
        return RequestBodies.artifact(writer, FileType.MP4, request, () -> compositions.get(id),
                (length, body) -> compositions.putFinal(id, recompress, length, body));
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{compositionId}/thumbnail")
    @Consumes(MediaType.WILDCARD)
    public Uni<StoredArtifact> putThumbnail(@RestPath String compositionId, @Context HttpServerRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        return RequestBodies.artifact(writer, FileType.JPEG, request, () -> compositions.get(id),
                (length, body) -> compositions.putThumbnail(id, length, body));
    }



    /**
     * {@code ?status=pending|rendered&since=&user_id=&generation_id=&after=&limit=}: compositions in creation
     * order from their stored metadata; continue with {@code after=next_after}.
     */
    @GET
    public Uni<MetadataPage<CompositionMetadata>> list(@RestQuery String status, @RestQuery String since,
            @RestQuery("user_id") String userId, @RestQuery("generation_id") String generationId, @RestQuery String after,
            @RestQuery Integer limit) {
        return compositions.list(Optional.ofNullable(status), QueryParams.instant("since", since),
                Optional.ofNullable(userId).map(UserId::parseRequested), Optional.ofNullable(generationId).map(GenerationId::parse),
                Optional.ofNullable(after).map(CompositionId::parse), QueryParams.limit(limit));
    }

    @GET
    @Path("/{compositionId}")
    public Uni<CompositionMetadata> get(@RestPath String compositionId) {
        return compositions.get(CompositionId.parse(compositionId));
    }

    /** {@code {url, expires_in: 21600, filename: "video_{id}.mp4"}}; the URL downloads as an attachment. */
    @RateLimited(RateClass.URL)
    @GET
    @Path("/{compositionId}/download")
    public Uni<CompositionService.Download> download(@RestPath String compositionId) {
        return compositions.download(CompositionId.parse(compositionId));
    }

    @DELETE
    @Path("/{compositionId}")
    public Uni<RestResponse<Void>> delete(@RestPath String compositionId) {
        return compositions.delete(CompositionId.parse(compositionId)).map(v -> RestResponse.noContent());
    }
}
