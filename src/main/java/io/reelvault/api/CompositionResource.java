package io.reelvault.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.CompositionId;
import io.reelvault.model.FileType;
import io.reelvault.model.GenerationId;
import io.reelvault.model.UploadId;
import io.reelvault.model.UserId;
import io.reelvault.service.RateClass;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.artifact.MetadataPage;
import io.reelvault.service.artifact.StoredArtifact;
import io.reelvault.service.composition.CompositionMetadata;
import io.reelvault.service.composition.CompositionService;
import io.reelvault.service.composition.FinalMultipartService;
import io.reelvault.service.upload.MultipartUploadService;
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
import java.util.OptionalLong;
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

/** {@code /api/v1/compositions}: timelines and their rendered final videos. Pipeline workers only. */
@Path("/api/v1/compositions")
@Tag(
        name = "compositions",
        description = "Timelines over generated clips and their rendered final videos, kept 90 days."
                + " Pipeline workers only (group `pipeline`).")
@RolesAllowed(Caller.PIPELINE)
@Produces(MediaType.APPLICATION_JSON)
public class CompositionResource {
    private final CompositionService compositions;
    private final FinalMultipartService finals;
    private final ArtifactWriter writer;
    private final Caller caller;

    public CompositionResource(
            CompositionService compositions, FinalMultipartService finals, ArtifactWriter writer, Caller caller) {
        this.compositions = compositions;
        this.finals = finals;
        this.writer = writer;
        this.caller = caller;
    }

    /** {@code {generation_id?, timeline, user_id?}}. */
    @Schema(name = "CompositionRequest", requiredProperties = "timeline")
    public record CreateRequest(
            @Schema(
                    description = "the generation the timeline's clips come from by default",
                    pattern = ApiDocs.GENERATION_ID)
            String generationId,

            @Schema(
                    description =
                            "`{clips: [{clip, generation_id?, start_seconds, duration_seconds?, trim_start_seconds?}],"
                                    + " ...}`: 1 to 1000 clips of at most 20 unexpired generations; other members are kept as sent; at most"
                                    + " 256 KiB, and so is the whole body")
            JsonNode timeline,

            @Schema(description = "whose composition it is; default the token's `sub`", pattern = ApiDocs.NAME_ID)
            String userId) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Create a composition",
            description = "Checks the timeline (each generation it uses must exist and"
                    + " be unexpired), writes `timeline.json` and `metadata.json` (status `pending`).",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + ",invalid_id,not_found,expired," + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CreateRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "Created.",
            headers =
                    @Header(
                            name = "Location",
                            description = "`/api/v1/compositions/{composition_id}`",
                            schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CompositionMetadata.class)))
    public Uni<RestResponse<CompositionMetadata>> create(
            @JsonBodyLimit.Limit(256 * 1024) CreateRequest request, @Context UriInfo uri) {
        if (request == null) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "a JSON body {generation_id?, timeline} is required");
        }
        UserId user = request.userId() == null ? caller.user() : UserId.parseRequested(request.userId());
        Optional<GenerationId> generation =
                Optional.ofNullable(request.generationId()).map(GenerationId::parse);
        Created created = Created.under(uri);
        return compositions
                .create(user, generation, request.timeline())
                .map(meta -> created.at("api/v1/compositions/" + meta.compositionId(), meta));
    }

    /** The rendered video; {@code ?compress=true|false} overrides {@code REELVAULT_PIPELINE_COMPRESS}. */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{compositionId}/final")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Store the final render",
            description = "Streams `final.mp4` (MP4 by content, up to"
                    + " `REELVAULT_PIPELINE_MAX_SIZE`); the status becomes `rendered`. With compression it is re-encoded (H.264"
                    + " CRF 23) in the background and replaced when smaller; the outcome is in the metadata.",
            extensions =
                    @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.RETAINED + "," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = @Content(mediaType = "video/mp4", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "200", description = "Stored; the composition's metadata.")
    public Uni<CompositionMetadata> putFinal(
            @RestPath String compositionId,
            @Parameter(
                            description = "Re-encode it; default `REELVAULT_PIPELINE_COMPRESS`.",
                            schema = @Schema(enumeration = {"true", "false"}))
                    @RestQuery
                    String compress,
            @Context HttpServerRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        boolean recompress =
                compress == null ? compositions.compressByDefault() : QueryParams.flag("compress", compress);
        return RequestBodies.artifact(
                writer,
                FileType.MP4,
                request,
                open(id),
                (length, body) -> compositions.putFinal(id, recompress, length, body));
    }

    /** A direct multipart upload of the final: {@code {content_type, size_bytes, part_size?}}. */
    @Schema(
            name = "FinalMultipartRequest",
            requiredProperties = {"content_type", "size_bytes"})
    public record FinalMultipartRequest(
            @Schema(description = "`video/mp4`") String contentType,

            @Schema(description = "the final's exact size in bytes, up to `REELVAULT_PIPELINE_MAX_SIZE`", minimum = "1")
            Long sizeBytes,

            @Schema(
                    description = "optional: the part size the client cuts the file into (5 MiB to 5 GiB, at"
                            + " most 10,000 parts); default `REELVAULT_UPLOADS_MULTIPART_PART_SIZE`",
                    minimum = "5242880",
                    maximum = "5368709120")
            Long partSize) {}

    /** Step 1 of a direct multipart upload of the final: type, size and composition checked before any URL. */
    @RateLimited(RateClass.URL)
    @POST
    @Path("/{compositionId}/final/multipart")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Start a direct multipart upload of the final render",
            description = "For large finals: checks the type (`video/mp4`, else 415) and size (up to"
                    + " `REELVAULT_PIPELINE_MAX_SIZE`, else 413) and that the composition exists and is unexpired, all"
                    + " before any URL is handed out, then starts a multipart upload whose parts go straight to storage"
                    + " (S3: the bucket), cut as a user's direct multipart upload is. Then sign part URLs"
                    + " (`POST .../final/multipart/{upload_id}/parts`), PUT each part (its answer's `ETag` is the"
                    + " part's), and `POST .../final/multipart/{upload_id}/complete`. The parts are assembled apart from"
                    + " `final.mp4`, which only ever shows a verified final. The upload lives 12 hours; one that receives"
                    + " no part for `REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE` (1h) is aborted, and so is one not"
                    + " completed in time.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + "," + ApiDocs.RETAINED + ",rate_limited," + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = FinalMultipartRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "MultipartStarted: sign and PUT the parts.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MultipartUploadService.MultipartStarted.class)))
    public Uni<RestResponse<MultipartUploadService.MultipartStarted>> startFinalMultipart(
            @RestPath String compositionId, FinalMultipartRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        if (request == null || request.sizeBytes() == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "content_type and size_bytes are required");
        }
        return finals.start(
                        id,
                        request.contentType(),
                        request.sizeBytes(),
                        request.partSize() == null ? OptionalLong.empty() : OptionalLong.of(request.partSize()))
                .map(started -> RestResponse.status(RestResponse.Status.CREATED, started));
    }

    /** Step 2: part URLs, each bound to its part number and exact length. */
    @RateLimited(RateClass.URL)
    @POST
    @Path("/{compositionId}/final/multipart/{uploadId}/parts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Sign part URLs of the final",
            description = "As for a user's direct multipart upload: a PUT URL for each part number asked (1 to 100 per"
                    + " call), valid 15 minutes (never past the upload's 12 hours), bound to that part number and its"
                    + " exact `size_bytes` (Content-Length).",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + "," + ApiDocs.RETAINED + ",rate_limited," + ApiDocs.STORAGE))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadResource.PartNumbersRequest.class)))
    @APIResponse(
            responseCode = "200",
            description = "The part URLs, in the order asked (each number once).",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadResource.PartUrls.class)))
    public Uni<UploadResource.PartUrls> signFinalParts(
            @RestPath String compositionId, @RestPath String uploadId, UploadResource.PartNumbersRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        UploadId upload = UploadId.parse(uploadId);
        if (request == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "part_numbers is required");
        }
        return finals.signParts(id, upload, request.partNumbers()).map(UploadResource.PartUrls::new);
    }

    @RateLimited(RateClass.LIST)
    @GET
    @Path("/{compositionId}/final/multipart/{uploadId}/parts")
    @Operation(
            summary = "List the uploaded parts of the final",
            description = "The parts storage holds, by part number; continue with `after=next_after`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.PAGE + ",not_found,expired"))
    @APIResponse(
            responseCode = "200",
            description = "A page of parts.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MultipartUploadService.UploadedPartPage.class)))
    public Uni<MultipartUploadService.UploadedPartPage> listFinalParts(
            @RestPath String compositionId,
            @RestPath String uploadId,
            @Parameter(description = "The `next_after` of the previous page (a part number); 0 to start.") @RestQuery
                    Integer after,
            @Parameter(description = "Parts per page, 1 to 1000 (default 1000).") @RestQuery Integer limit) {
        CompositionId id = CompositionId.parse(compositionId);
        UploadId upload = UploadId.parse(uploadId);
        return finals.parts(
                id, upload, after == null ? 0 : after, limit == null ? MultipartUploadService.MAX_LIST : limit);
    }

    /** Step 3: the parts assembled at a staging key, verified, then published as {@code final.mp4}. */
    @POST
    @Path("/{compositionId}/final/multipart/{uploadId}/complete")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Complete a direct multipart upload of the final render",
            description = "Every part 1 to `part_count`, in order, with its ETag: each must be stored with that ETag"
                    + " and its exact size, else 400 `invalid_part` and nothing is assembled (upload the part again and"
                    + " complete again). The parts are assembled apart from `final.mp4`; the result's size and magic"
                    + " bytes are checked (a mismatch ends the upload: nothing reaches `final.mp4`, 400"
                    + " `length_mismatch` or 415) and its SHA-256 computed by reading it back; only then is it published"
                    + " as `final.mp4` (a server-side copy or rename) and recorded exactly as `PUT .../final` records"
                    + " it (status `rendered`, thumbnail, compression). Completing an upload that is over is 404.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + "," + ApiDocs.RETAINED
                                    + ",invalid_part,length_mismatch,conflict," + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadResource.CompleteMultipartRequest.class)))
    @APIResponse(
            responseCode = "200",
            description = "Stored; the composition's metadata.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CompositionMetadata.class)))
    public Uni<CompositionMetadata> completeFinalMultipart(
            @RestPath String compositionId,
            @RestPath String uploadId,
            @Parameter(
                            description = "Re-encode it; default `REELVAULT_PIPELINE_COMPRESS`.",
                            schema = @Schema(enumeration = {"true", "false"}))
                    @RestQuery
                    String compress,
            @JsonBodyLimit.Limit(1024 * 1024) UploadResource.CompleteMultipartRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        UploadId upload = UploadId.parse(uploadId);
        boolean recompress =
                compress == null ? compositions.compressByDefault() : QueryParams.flag("compress", compress);
        if (request == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "parts is required");
        }
        return finals.complete(id, upload, request.parts(), recompress);
    }

    @DELETE
    @Path("/{compositionId}/final/multipart/{uploadId}")
    @Operation(
            summary = "Abort a direct multipart upload of the final render",
            description = "Its parts are discarded from storage; its part URLs store nothing any more.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = "invalid_id,not_found," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "204", description = "Aborted.")
    public Uni<RestResponse<Void>> abortFinalMultipart(@RestPath String compositionId, @RestPath String uploadId) {
        return finals.abort(CompositionId.parse(compositionId), UploadId.parse(uploadId))
                .map(v -> RestResponse.noContent());
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{compositionId}/thumbnail")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Store the composition's thumbnail",
            description = "Streams `thumbnail.jpg` (JPEG by content).",
            extensions =
                    @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.RETAINED + "," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "200", description = "Stored.")
    public Uni<StoredArtifact> putThumbnail(@RestPath String compositionId, @Context HttpServerRequest request) {
        CompositionId id = CompositionId.parse(compositionId);
        return RequestBodies.artifact(
                writer,
                FileType.JPEG,
                request,
                open(id),
                (length, body) -> compositions.putThumbnail(id, length, body));
    }

    /** Checked before an artifact's body is accepted: the composition is there and unexpired. */
    private Supplier<Uni<?>> open(CompositionId id) {
        return () -> compositions.get(id);
    }

    /**
     * {@code ?status=pending|rendered&since=&user_id=&generation_id=&after=&limit=}: compositions in creation
     * order from their stored metadata; continue with {@code after=next_after}.
     */
    @RateLimited(RateClass.LIST)
    @GET
    @Operation(
            summary = "Query compositions",
            description = "Compositions in creation order, from their stored metadata"
                    + " (expired ones left out); continue with `after=next_after`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.PAGE))
    @APIResponse(responseCode = "200", description = "A page.")
    public Uni<MetadataPage<CompositionMetadata>> list(
            @Parameter(
                            description = "Only those in this status.",
                            schema = @Schema(enumeration = {"pending", "rendered"}))
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
                            description = "Only those of this generation.",
                            schema = @Schema(type = SchemaType.STRING, pattern = ApiDocs.GENERATION_ID))
                    @RestQuery("generation_id")
                    String generationId,
            @Parameter(
                            description = "The `next_after` of the previous page.",
                            schema = @Schema(type = SchemaType.STRING, pattern = ApiDocs.COMPOSITION_ID))
                    @RestQuery
                    String after,
            @Parameter(description = "Items per page, 1 to 1000 (default 100).") @RestQuery Integer limit) {
        return compositions.list(
                Optional.ofNullable(status),
                QueryParams.instant("since", since),
                Optional.ofNullable(userId).map(UserId::parseRequested),
                Optional.ofNullable(generationId).map(GenerationId::parse),
                Optional.ofNullable(after).map(CompositionId::parse),
                QueryParams.limit(limit));
    }

    @GET
    @Path("/{compositionId}")
    @Operation(
            summary = "Read a composition's metadata",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.RETAINED + "," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "200", description = "The composition's `metadata.json`.")
    public Uni<CompositionMetadata> get(@RestPath String compositionId) {
        return compositions.get(CompositionId.parse(compositionId));
    }

    /** {@code {url, expires_in: 21600, filename: "video_{id}.mp4"}}; the URL downloads as an attachment. */
    @RateLimited(RateClass.URL)
    @GET
    @Path("/{compositionId}/download")
    @Operation(
            summary = "Get the final video's download URL",
            description = "A signed GET URL valid 6 hours (never past"
                    + " the composition's expiry) that downloads as the attachment `video_{id}.mp4`; 404 `not_found` before the"
                    + " final render is stored.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.RETAINED + ",rate_limited," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "200", description = "`{url, expires_in: 21600, filename}`.")
    public Uni<CompositionService.Download> download(@RestPath String compositionId) {
        return compositions.download(CompositionId.parse(compositionId));
    }

    @DELETE
    @Path("/{compositionId}")
    @Operation(
            summary = "Delete a composition",
            description = "Its metadata first, then every object under it.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.RETAINED + "," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "204", description = "Deleted.")
    public Uni<RestResponse<Void>> delete(@RestPath String compositionId) {
        return compositions.delete(CompositionId.parse(compositionId)).map(v -> RestResponse.noContent());
    }
}
