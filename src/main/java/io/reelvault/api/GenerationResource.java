package io.reelvault.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ClipNumber;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.UserId;
import io.reelvault.service.RateClass;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.artifact.MetadataPage;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.generation.ClipRecord;
import io.reelvault.service.generation.GenerationCreated;
import io.reelvault.service.generation.GenerationMetadata;
import io.reelvault.service.generation.GenerationService;
import io.reelvault.service.generation.GenerationView;
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
import jakarta.ws.rs.core.UriInfo;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code /api/v1/generations}: the pipeline's generated clips, thumbnails and audio. Pipeline workers
 * only (group {@code pipeline}). Artifact bodies stream from the connection to storage; the
 * generation is checked (exists, unexpired, pending) before the body is accepted.
 */
@Path("/api/v1/generations")
@Tag(
        name = "generations",
        description =
                "What a generation produces: clips, thumbnails, audio and metadata.json, kept 30"
                        + " days. Finished generations are reused for similar requests. Pipeline workers only (group `pipeline`).")
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
    @Schema(name = "GenerationRequest", requiredProperties = "prompt", description = "At most 96 KiB.")
    public record CreateRequest(
            @Schema(description = "the prompt, at most 4,000 characters")
            String prompt,

            @Schema(description = "the generator's parameters (a JSON object, at most 64 KiB)")
            JsonNode parameters,

            @Schema(description = "whose generation it is; default the token's `sub`", pattern = ApiDocs.NAME_ID)
            String userId) {}

    /**
     * 201 a new pending generation, or 200 an existing one that answers the request (a finished similar
     * one, or the pending one an identical request started); {@code ?reuse=false} always starts a new one.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Start a generation, or reuse one",
            description = "Writes `metadata.json` of a new pending generation"
                    + " (201), unless the similar-generation cache knows a completed, unexpired one with the same parameters and a"
                    + " prompt within the similarity threshold, or an identical request is pending: then 200 with that one and"
                    + " `reused: true`, and nothing is paid twice.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + ",invalid_id," + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CreateRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "A new pending generation.",
            headers =
                    @Header(
                            name = "Location",
                            description = "`/api/v1/generations/{generation_id}`",
                            schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = GenerationCreated.class)))
    @APIResponse(
            responseCode = "200",
            description = "Reused: a completed similar generation (`similarity`), or the pending"
                    + " one of an identical request.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = GenerationCreated.class)))
    public Uni<RestResponse<GenerationCreated>> create(
            @JsonBodyLimit.Limit(96 * 1024) CreateRequest request,
            @Parameter(
                            description = "`false`: always start a new generation (default `true`).",
                            schema = @Schema(enumeration = {"true", "false"}))
                    @RestQuery
                    String reuse,
            @Context UriInfo uri) {
        if (request == null) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "a JSON body {prompt, parameters, user_id?} is required");
        }
        UserId user = request.userId() == null ? caller.user() : UserId.parseRequested(request.userId());
        Created created = Created.under(uri);
        boolean allowReuse = reuse == null || QueryParams.flag("reuse", reuse);
        return generations
                .create(user, request.prompt(), request.parameters(), allowReuse)
                .map(answer -> answer.reused()
                        ? RestResponse.ok(answer)
                        : created.at("api/v1/generations/" + answer.generationId(), answer));
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{generationId}/clips/{n}")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Store a clip",
            description = "Streams `clips/clip_NNN.mp4` (MP4 by content, up to"
                    + " `REELVAULT_PIPELINE_MAX_SIZE`) into a pending generation, replacing an earlier one; a clip without a"
                    + " thumbnail gets one extracted in the background.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",conflict," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = @Content(mediaType = "video/mp4", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "200", description = "Stored.")
    public Uni<ClipRecord> putClip(
            @RestPath String generationId, @RestPath String n, @Context HttpServerRequest request) {
        GenerationId id = GenerationId.parse(generationId);
        ClipNumber clip = ClipNumber.parse(n);
        return RequestBodies.artifact(
                writer, FileType.MP4, request, open(id), (length, body) -> generations.putClip(id, clip, length, body));
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{generationId}/thumbnails/{n}")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Store a clip's thumbnail",
            description = "Streams `thumbnails/clip_NNN.jpg` (JPEG by content) into a" + " pending generation.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",conflict," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "200", description = "Stored.")
    public Uni<StoredArtifact> putThumbnail(
            @RestPath String generationId, @RestPath String n, @Context HttpServerRequest request) {
        GenerationId id = GenerationId.parse(generationId);
        ClipNumber clip = ClipNumber.parse(n);
        return RequestBodies.artifact(
                writer,
                FileType.JPEG,
                request,
                open(id),
                (length, body) -> generations.putThumbnail(id, clip, length, body));
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{generationId}/audio")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Store the background audio",
            description = "Streams `audio/background.mp3` (MP3 by content) into a" + " pending generation.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",conflict," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = @Content(mediaType = "audio/mpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "200", description = "Stored.")
    public Uni<StoredArtifact> putAudio(@RestPath String generationId, @Context HttpServerRequest request) {
        GenerationId id = GenerationId.parse(generationId);
        return RequestBodies.artifact(
                writer, FileType.MP3, request, open(id), (length, body) -> generations.putAudio(id, length, body));
    }

    /** Checked before an artifact's body is accepted: the generation is open for artifacts ({@link GenerationService#openForArtifacts}). */
    private Supplier<Uni<?>> open(GenerationId id) {
        return () -> generations.openForArtifacts(id);
    }

    /**
     * {@code ?status=pending|completed&since=2026-11-01&user_id=&after=&limit=}: generations in creation
     * order from their stored metadata; continue with {@code after=next_after}.
     */
    @RateLimited(RateClass.LIST)
    @GET
    @Operation(
            summary = "Query generations",
            description = "Generations in creation order, from their stored metadata"
                    + " (expired ones left out); continue with `after=next_after`. One request lists at most 100,000 objects and"
                    + " reads at most 1,000 documents, so a rare filter may answer a short page with a `next_after`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.PAGE))
    @APIResponse(responseCode = "200", description = "A page.")
    public Uni<MetadataPage<GenerationMetadata>> list(
            @Parameter(
                            description = "Only those in this status.",
                            schema = @Schema(enumeration = {"pending", "completed", "failed"}))
                    @RestQuery
                    String status,
            @Parameter(description = "Created at or after this ISO-8601 instant or date, e.g. `2026-11-01`.") @RestQuery
                    String since,
            @Parameter(
                            description = "Only this user's.",
                            schema = @Schema(type = SchemaType.STRING, pattern = ApiDocs.NAME_ID))
                    @RestQuery("user_id")
                    String userId,
            @Parameter(
                            description = "The `next_after` of the previous page.",
                            schema = @Schema(type = SchemaType.STRING, pattern = ApiDocs.GENERATION_ID))
                    @RestQuery
                    String after,
            @Parameter(description = "Items per page, 1 to 1000 (default 100).") @RestQuery Integer limit) {
        return generations.list(
                Optional.ofNullable(status),
                QueryParams.instant("since", since),
                Optional.ofNullable(userId).map(UserId::parseRequested),
                Optional.ofNullable(after).map(GenerationId::parse),
                QueryParams.limit(limit));
    }

    /** {@code {reason?}}: the pipeline gave up; the generation is never reused and identical requests start anew. */
    @Schema(name = "FailRequest")
    public record FailRequest(
            @Schema(description = "why, for people; at most 1,000 characters kept")
            String reason) {}

    @POST
    @Path("/{generationId}/fail")
    @Operation(
            summary = "Mark a generation failed",
            description = "The pipeline gave up on a pending generation: it is never"
                    + " reused, and identical requests start a new one at once.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",conflict," + ApiDocs.JSON_BODY + "," + ApiDocs.STORED))
    @RequestBody(
            required = false,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = FailRequest.class)))
    @APIResponse(responseCode = "200", description = "The generation's metadata, status `failed`.")
    public Uni<GenerationMetadata> fail(@RestPath String generationId, FailRequest request) {
        return generations.fail(GenerationId.parse(generationId), request == null ? null : request.reason());
    }

    @RateLimited(RateClass.URL)
    @POST
    @Path("/{generationId}/complete")
    @Operation(
            summary = "Complete a generation",
            description = "Records each clip's size, SHA-256 and duration (ffprobe),"
                    + " sets the status `completed` and makes it reusable for similar requests. 409 `conflict` without clips or"
                    + " when not pending. Answers the generation with 1-hour preview URLs.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",conflict,rate_limited," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "200", description = "The completed generation.")
    public Uni<GenerationView> complete(@RestPath String generationId) {
        return generations.complete(GenerationId.parse(generationId));
    }

    @RateLimited(RateClass.URL)
    @GET
    @Path("/{generationId}")
    @Operation(
            summary = "Read a generation",
            description =
                    "Its metadata and clips, with 1-hour preview URLs (never past" + " the generation's own expiry).",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",rate_limited," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "200", description = "The generation.")
    public Uni<GenerationView> get(@RestPath String generationId) {
        return generations.get(GenerationId.parse(generationId));
    }

    @DELETE
    @Path("/{generationId}")
    @Operation(
            summary = "Delete a generation",
            description = "Its metadata first (gone for readers at once), then every"
                    + " artifact; its similar-cache entry too.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.RETAINED + "," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "204", description = "Deleted.")
    public Uni<RestResponse<Void>> delete(@RestPath String generationId) {
        return generations.delete(GenerationId.parse(generationId)).map(v -> RestResponse.noContent());
    }
}
