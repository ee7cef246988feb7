package io.reelvault.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.model.ClipNumber;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.UserId;
import io.reelvault.service.ArtifactWriter;
import io.reelvault.service.ClipRecord;
import io.reelvault.service.GenerationCreated;
import io.reelvault.service.GenerationMetadata;
import io.reelvault.service.MetadataPage;
import io.reelvault.service.GenerationService;
import io.reelvault.service.GenerationView;
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

/**
 * {@code /api/v1/generations}: the pipeline's generated clips, thumbnails and audio. Pipeline workers
 * only (group {@code pipeline}). Artifact bodies stream from the connection to storage; the
 * generation is checked (exists, unexpired, pending) before the body is accepted.
 */
@Path("/api/v1/generations")
@RolesAllowed(Caller.PIPELINE)
@Produces(MediaType.APPLICATION_JSON)
public class GenerationResource {
    private final GenerationService generations;
    private final ArtifactWriter writer;
    private final Caller caller;

    public GenerationResource(GenerationService generations, ArtifactWriter writer, Caller caller) {
        this.generations = generations;
        this.writer = writer;
        this.caller = caller;
    }

    /** {@code {prompt, parameters, user_id?}}; the user defaults to the token's subject. */
    public record CreateRequest(String prompt, JsonNode parameters, String userId) {}

    /**
     * 201 a new pending generation, or 200 an existing one that answers the request (a finished similar
     * one, or the pending one an identical request started); {@code ?reuse=false} always starts a new one.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<GenerationCreated>> create(CreateRequest request, @RestQuery String reuse) {
        if (request == null) {
            throw new io.reelvault.error.ReelvaultException(io.reelvault.error.ErrorCode.INVALID_REQUEST,
                    "a JSON body {prompt, parameters, user_id?} is required");
        }
        UserId user = request.userId() == null ? caller.user() : UserId.parseRequested(request.userId());
        boolean allowReuse = reuse == null || QueryParams.flag("reuse", reuse);
        return generations.create(user, request.prompt(), request.parameters(), allowReuse)
                .map(answer -> answer.reused() ? RestResponse.ok(answer)
                        : RestResponse.ResponseBuilder.<GenerationCreated>created(
                                URI.create("/api/v1/generations/" + answer.generationId())).entity(answer).build());
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{generationId}/clips/{n}")
    @Consumes(MediaType.WILDCARD)
    public Uni<ClipRecord> putClip(@RestPath String generationId, @RestPath String n, @Context HttpServerRequest request) {
        GenerationId id = GenerationId.parse(generationId);
        ClipNumber clip = ClipNumber.parse(n);
        return RequestBodies.artifact(writer, FileType.MP4, request, () -> generations.openForArtifacts(id),
                (length, body) -> generations.putClip(id, clip, length, body));
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{generationId}/thumbnails/{n}")
    @Consumes(MediaType.WILDCARD)
    public Uni<StoredArtifact> putThumbnail(@RestPath String generationId, @RestPath String n, @Context HttpServerRequest request) {
        GenerationId id = GenerationId.parse(generationId);
        ClipNumber clip = ClipNumber.parse(n);
        return RequestBodies.artifact(writer, FileType.JPEG, request, () -> generations.openForArtifacts(id),
                (length, body) -> generations.putThumbnail(id, clip, length, body));
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{generationId}/audio")
    @Consumes(MediaType.WILDCARD)
    public Uni<StoredArtifact> putAudio(@RestPath String generationId, @Context HttpServerRequest request) {
        GenerationId id = GenerationId.parse(generationId);
        return RequestBodies.artifact(writer, FileType.MP3, request, () -> generations.openForArtifacts(id),
                (length, body) -> generations.putAudio(id, length, body));
    }


    /**
     * {@code ?status=pending|completed&since=2026-11-01&user_id=&after=&limit=}: generations in creation
     * order from their stored metadata; continue with {@code after=next_after}.
     */
    @GET
    public Uni<MetadataPage<GenerationMetadata>> list(@RestQuery String status, @RestQuery String since,
            @RestQuery("user_id") String userId, @RestQuery String after, @RestQuery Integer limit) {
        return generations.list(Optional.ofNullable(status), QueryParams.instant("since", since),
                Optional.ofNullable(userId).map(UserId::parseRequested), Optional.ofNullable(after).map(GenerationId::parse),
                QueryParams.limit(limit));
    }

    /** {@code {reason?}}: the pipeline gave up; the generation is never reused and identical requests start anew. */
    public record FailRequest(String reason) {}

    @POST
    @Path("/{generationId}/fail")
    public Uni<GenerationMetadata> fail(@RestPath String generationId, FailRequest request) {
        return generations.fail(GenerationId.parse(generationId), request == null ? null : request.reason());
    }

    @RateLimited(RateClass.URL)
    @POST
    @Path("/{generationId}/complete")
    public Uni<GenerationView> complete(@RestPath String generationId) {
        return generations.complete(GenerationId.parse(generationId));
    }

    @RateLimited(RateClass.URL)
    @GET
    @Path("/{generationId}")
    public Uni<GenerationView> get(@RestPath String generationId) {
        return generations.get(GenerationId.parse(generationId));
    }

    @DELETE
    @Path("/{generationId}")
    public Uni<RestResponse<Void>> delete(@RestPath String generationId) {
        return generations.delete(GenerationId.parse(generationId)).map(v -> RestResponse.noContent());
    }
}
