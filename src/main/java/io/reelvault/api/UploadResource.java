package io.reelvault.api;

import io.quarkus.security.Authenticated;
import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UploadFilename;
import io.reelvault.model.UploadId;
import io.reelvault.model.UserId;
import io.reelvault.service.Failures;
import io.reelvault.service.RateClass;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.upload.MultipartUploadService;
import io.reelvault.service.upload.PresignedUpload;
import io.reelvault.service.upload.UploadMetadata;
import io.reelvault.service.upload.UploadPage;
import io.reelvault.service.upload.UploadService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code /api/v1/uploads}: a user's brand assets. Bodies stream from the connection to storage on
 * the event loop (no worker thread, no buffering); file I/O happens in the store's worker pool.
 */
@Path("/api/v1/uploads")
@Tag(
        name = "uploads",
        description = "A user's brand assets, logos and audio (png, jpeg, gif, mp3, wav), kept until the"
                + " user deletes them; each user sees only their own. Any valid token.")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class UploadResource {
    /** Headroom for multipart boundaries and part headers when comparing Content-Length to the limit. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;

    private final UploadService uploads;
    private final MultipartUploadService multipart;
    private final Caller caller;

    public UploadResource(UploadService uploads, MultipartUploadService multipart, Caller caller) {
        this.uploads = uploads;
        this.multipart = multipart;
        this.caller = caller;
    }

    /** Raw body: {@code POST /api/v1/uploads?filename=logo.png} with the file's Content-Type. */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Upload a file",
            description = "Streams the file into `uploads/{user_id}/{upload_id}/original.{ext}`"
                    + " and writes its `metadata.json`. Either the raw bytes with `?filename=` and the file's Content-Type, or"
                    + " `multipart/form-data` with the file in the part `file` (its file name and type come from the part). The"
                    + " declared type, the name's extension and the magic bytes must agree; the size limit"
                    + " (`REELVAULT_UPLOADS_MAX_SIZE`, 50 MB) is checked from Content-Length before reading, and while streaming."
                    + " Nothing is stored unless all of it is.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = "invalid_filename," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = {
                @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/gif", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "audio/mpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "audio/wav", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(
                        mediaType = MediaType.MULTIPART_FORM_DATA,
                        schema =
                                @Schema(
                                        type = SchemaType.OBJECT,
                                        requiredProperties = "file",
                                        properties =
                                                @SchemaProperty(
                                                        name = "file",
                                                        type = SchemaType.STRING,
                                                        format = "binary",
                                                        description = "the file, with its file name and Content-Type")))
            })
    @Parameter(
            name = "filename",
            in = ParameterIn.QUERY,
            description = "Raw bodies: the file's name, e.g. `logo.png`"
                    + " (its extension must match the type); multipart bodies take it from the part.")
    @APIResponse(
            responseCode = "201",
            description = "Stored.",
            headers =
                    @Header(
                            name = "Location",
                            description = "`/api/v1/uploads/{upload_id}`",
                            schema = @Schema(type = SchemaType.STRING)),
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadMetadata.class)))
    public Uni<RestResponse<UploadMetadata>> uploadRaw(
            @RestQuery String filename, @Context HttpServerRequest request, @Context UriInfo uri) {
        var user = caller.user();
        Created created = Created.under(uri);
        OptionalLong length = RequestBodies.contentLength(request);
        UploadFilename name = uploads.precheck(filename, request.getHeader(HttpHeaders.CONTENT_TYPE), length);
        RequestBodies.acceptBody(request);
        return uploads.upload(user, name, length, RequestBodies.raw(request))
                .map(meta -> created.at("api/v1/uploads/" + meta.uploadId(), meta));
    }

    /** {@code multipart/form-data} with the file in the part named {@code file}. */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(hidden = true) // documented with uploadRaw: one operation, two body types
    public Uni<RestResponse<UploadMetadata>> uploadMultipart(@Context HttpServerRequest request, @Context UriInfo uri) {
        var user = caller.user();
        Created created = Created.under(uri);
        OptionalLong length = RequestBodies.contentLength(request);
        if (length.isPresent() && length.getAsLong() > uploads.maxBytes() + MULTIPART_OVERHEAD) {
            throw new ReelvaultException(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    "the body is larger than the limit of " + uploads.maxBytes() + " bytes");
        }
        RequestBodies.acceptBody(request);
        return RequestBodies.multipartField(request, "file", (part, body) -> {
                    UploadFilename name = uploads.precheck(part.filename(), part.contentType(), OptionalLong.empty());
                    return uploads.upload(user, name, OptionalLong.empty(), body);
                })
                .map(meta -> created.at("api/v1/uploads/" + meta.uploadId(), meta));
    }

    /** A direct upload: {@code {filename, content_type, size_bytes}} in, a 15-minute PUT URL out. */
    @Schema(
            name = "PresignRequest",
            requiredProperties = {"filename", "content_type", "size_bytes"})
    public record PresignRequest(
            @Schema(description = "e.g. `logo.png`") String filename,

            @Schema(description = "png, jpeg, gif, mp3 or wav, matching the name")
            String contentType,

            @Schema(description = "the exact size the PUT will send", minimum = "1")
            Long sizeBytes) {}

    /** Step 1 of a direct upload: type and size are checked now; the bytes go straight to storage. */
    @RateLimited(RateClass.URL)
    @POST
    @Path("/presign")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Start a direct upload",
            description = "Checks the name, type and size now (415 / 413 before any"
                    + " byte moves) and answers a 15-minute URL to PUT the bytes to, bound to that Content-Type and size: on S3"
                    + " the bytes go straight to the bucket. The URL stores once (on S3 it requires `If-None-Match: *`: send every"
                    + " header of `headers`). Then `POST .../{upload_id}/complete`.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + ",invalid_filename,payload_too_large,rate_limited,"
                                    + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = PresignRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "PUT the bytes to `upload_url` with `headers`.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = PresignedUpload.class)))
    public Uni<RestResponse<PresignedUpload>> presign(PresignRequest request) {
        if (request == null || request.sizeBytes() == null) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "filename, content_type and size_bytes are required");
        }
        return uploads.presign(caller.user(), request.filename(), request.contentType(), request.sizeBytes())
                .map(p -> RestResponse.status(RestResponse.Status.CREATED, p));
    }

    /** Step 2 of a direct upload: checks size and magic bytes, then records the upload. */
    @POST
    @Path("/{uploadId}/complete")
    @Operation(
            summary = "Complete a direct upload",
            description = "Checks the uploaded object's size and magic bytes (a"
                    + " mismatch ends the upload: the object and the pending upload are deleted, 400 `length_mismatch` or 415,"
                    + " and completing again is 404), computes its SHA-256 and writes `metadata.json`. Completing twice answers"
                    + " the same metadata. A direct upload not completed within its URL's 15 minutes plus"
                    + " `REELVAULT_UPLOADS_ORPHAN_GRACE` is swept.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "invalid_id,not_found,length_mismatch,unsupported_media_type," + ApiDocs.STORED))
    @APIResponse(
            responseCode = "200",
            description = "Recorded.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadMetadata.class)))
    public Uni<UploadMetadata> complete(@RestPath String uploadId) {
        return uploads.complete(caller.user(), UploadId.parse(uploadId));
    }

    @RateLimited(RateClass.LIST)
    @GET
    @Operation(
            summary = "List your uploads",
            description = "Oldest first; continue with `after=next_after`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.PAGE))
    @APIResponse(
            responseCode = "200",
            description = "A page of the caller's uploads.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadPage.class)))
    public Uni<UploadPage> list(
            @Parameter(
                            description = "The `next_after` of the previous page.",
                            schema = @Schema(type = SchemaType.STRING, pattern = ApiDocs.UPLOAD_ID))
                    @RestQuery
                    String after,
            @Parameter(description = "Items per page, 1 to 1000 (default 100).") @RestQuery Integer limit) {
        return uploads.list(caller.user(), Optional.ofNullable(after).map(UploadId::parse), QueryParams.limit(limit));
    }

    @GET
    @Path("/{uploadId}")
    @Operation(
            summary = "Read an upload's metadata",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = "invalid_id,not_found," + ApiDocs.STORAGE))
    @APIResponse(
            responseCode = "200",
            description = "The upload's `metadata.json`.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadMetadata.class)))
    public Uni<UploadMetadata> get(@RestPath String uploadId) {
        return uploads.get(caller.user(), UploadId.parse(uploadId));
    }

    /** A 1-hour signed GET URL of the original: {@code {url, expires_in, method}}. */
    @RateLimited(RateClass.URL)
    @GET
    @Path("/{uploadId}/url")
    @Operation(
            summary = "Get a download URL",
            description = "A signed GET URL of the original, valid 1 hour, that needs no"
                    + " token (it allows HEAD and Range too). 409 `conflict` when a direct upload's object is no longer the one"
                    + " `complete` checked.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "invalid_id,not_found,conflict,rate_limited," + ApiDocs.STORAGE))
    @APIResponse(
            responseCode = "200",
            description = "`{url, expires_in, method: \"GET\"}`.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SignedUrlView.class)))
    public Uni<SignedUrlView> url(@RestPath String uploadId) {
        return uploads.url(caller.user(), UploadId.parse(uploadId));
    }

    @DELETE
    @Path("/{uploadId}")
    @Operation(
            summary = "Delete an upload",
            description = "The original and its metadata are gone from storage. A direct multipart upload still in"
                    + " progress is aborted, as by `DELETE .../multipart`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = "invalid_id,not_found," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "204", description = "Deleted.")
    public Uni<RestResponse<Void>> delete(@RestPath String uploadId) {
        UserId user = caller.user();
        UploadId id = UploadId.parse(uploadId);
        return uploads.delete(user, id)
                .onFailure(Failures::isNotFound)
                .recoverWithUni(() -> multipart.abort(user, id)) // a direct multipart upload still in progress
                .map(v -> RestResponse.noContent());
    }

    /** A direct multipart upload: {@code {filename, content_type, size_bytes}} in, its part size and count out. */
    @Schema(
            name = "MultipartRequest",
            requiredProperties = {"filename", "content_type", "size_bytes"})
    public record MultipartRequest(
            @Schema(description = "e.g. `jingle.wav`") String filename,

            @Schema(description = "png, jpeg, gif, mp3 or wav, matching the name")
            String contentType,

            @Schema(description = "the file's exact size in bytes", minimum = "1")
            Long sizeBytes,

            @Schema(
                    description = "optional: the part size the client cuts the file into (5 MiB to 5 GiB, at"
                            + " most 10,000 parts); default `REELVAULT_UPLOADS_MULTIPART_PART_SIZE`",
                    minimum = "5242880",
                    maximum = "5368709120")
            Long partSize) {}

    /** The part numbers to sign. */
    @Schema(name = "PartNumbersRequest", requiredProperties = "part_numbers")
    public record PartNumbersRequest(
            @Schema(description = "1 to 100 part numbers, each 1 to `part_count`", maxItems = 100)
            List<Integer> partNumbers) {}

    /** The signed part URLs. */
    @Schema(name = "PartUrls")
    public record PartUrls(List<MultipartUploadService.PartUrl> parts) {}

    /** The parts to assemble. */
    @Schema(name = "CompleteMultipartRequest", requiredProperties = "parts")
    public record CompleteMultipartRequest(
            @Schema(
                    description = "every part, 1 to `part_count` in order, with the ETag its PUT answered",
                    maxItems = 10000)
            List<MultipartUploadService.CompletedPart> parts) {}

    /** Step 1 of a direct multipart upload: name, type and size are checked before any URL is handed out. */
    @RateLimited(RateClass.URL)
    @POST
    @Path("/multipart")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Start a direct multipart upload",
            description = "For large files: checks the name, type and size now (415 / 413 before any byte moves) and"
                    + " starts a multipart upload whose parts go straight to storage (S3: the bucket). The file is cut into"
                    + " `part_count` parts of `part_size` bytes (the request's `part_size`, else"
                    + " `REELVAULT_UPLOADS_MULTIPART_PART_SIZE`; at least 5 MiB; the last part smaller). Then sign part URLs (`POST .../{upload_id}/multipart/parts`), PUT each part"
                    + " (its answer's `ETag` is the part's), and `POST .../{upload_id}/multipart/complete`. The upload"
                    + " lives 12 hours; one that receives no part for `REELVAULT_STORAGE_INCOMPLETE_WRITE_GRACE` (1h) is"
                    + " aborted, and so is one not completed in time, by the upload sweeper.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + ",invalid_filename,rate_limited," + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MultipartRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "MultipartStarted: sign and PUT the parts.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MultipartUploadService.MultipartStarted.class)))
    public Uni<RestResponse<MultipartUploadService.MultipartStarted>> startMultipart(MultipartRequest request) {
        if (request == null || request.sizeBytes() == null) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "filename, content_type and size_bytes are required");
        }
        return multipart
                .create(
                        caller.user(),
                        request.filename(),
                        request.contentType(),
                        request.sizeBytes(),
                        request.partSize() == null ? OptionalLong.empty() : OptionalLong.of(request.partSize()))
                .map(started -> RestResponse.status(RestResponse.Status.CREATED, started));
    }

    /** Step 2: part URLs, each bound to its part number and exact length. */
    @RateLimited(RateClass.URL)
    @POST
    @Path("/{uploadId}/multipart/parts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Sign part URLs",
            description = "A PUT URL for each part number asked (1 to 100 per call), valid 15 minutes (never past the"
                    + " upload's 12 hours), bound to that part number and its exact `size_bytes` (Content-Length): send"
                    + " exactly those bytes with `headers`. The PUT answers the part's `ETag` (exposed to browsers).",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + ",invalid_id,not_found,expired,rate_limited,"
                                    + ApiDocs.STORAGE))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = PartNumbersRequest.class)))
    @APIResponse(
            responseCode = "200",
            description = "The part URLs, in the order asked (each number once).",
            content =
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PartUrls.class)))
    public Uni<PartUrls> signParts(@RestPath String uploadId, PartNumbersRequest request) {
        UploadId id = UploadId.parse(uploadId);
        if (request == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "part_numbers is required");
        }
        return multipart.signParts(caller.user(), id, request.partNumbers()).map(PartUrls::new);
    }

    @RateLimited(RateClass.LIST)
    @GET
    @Path("/{uploadId}/multipart/parts")
    @Operation(
            summary = "List the uploaded parts",
            description = "The parts storage holds, by part number; continue with `after=next_after`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ApiDocs.PAGE + ",not_found"))
    @APIResponse(
            responseCode = "200",
            description = "A page of parts.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MultipartUploadService.UploadedPartPage.class)))
    public Uni<MultipartUploadService.UploadedPartPage> listParts(
            @RestPath String uploadId,
            @Parameter(description = "The `next_after` of the previous page (a part number); 0 to start.") @RestQuery
                    Integer after,
            @Parameter(description = "Parts per page, 1 to 1000 (default 1000).") @RestQuery Integer limit) {
        UploadId id = UploadId.parse(uploadId);
        return multipart.parts(
                caller.user(), id, after == null ? 0 : after, limit == null ? MultipartUploadService.MAX_LIST : limit);
    }

    /** Step 3: the parts assembled, then checked as a presigned upload's {@code complete}. */
    @POST
    @Path("/{uploadId}/multipart/complete")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Complete a direct multipart upload",
            description =
                    "Every part 1 to `part_count`, in order, with its ETag: each must be stored with that ETag and"
                            + " its exact size, else 400 `invalid_part` and nothing is assembled (upload the part again and"
                            + " complete again). Then the parts become the file, whose size and magic bytes are checked (a"
                            + " mismatch ends the upload: the file is deleted, 400 `length_mismatch` or 415), its SHA-256"
                            + " computed and `metadata.json` written. Completing twice answers the same metadata.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = ApiDocs.JSON_BODY + ",invalid_id,not_found,invalid_part,length_mismatch,"
                                    + ApiDocs.STORED))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = CompleteMultipartRequest.class)))
    @APIResponse(
            responseCode = "200",
            description = "Recorded.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UploadMetadata.class)))
    public Uni<UploadMetadata> completeMultipart(
            @RestPath String uploadId, @JsonBodyLimit.Limit(1024 * 1024) CompleteMultipartRequest request) {
        UploadId id = UploadId.parse(uploadId);
        if (request == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "parts is required");
        }
        return multipart.complete(caller.user(), id, request.parts());
    }

    @DELETE
    @Path("/{uploadId}/multipart")
    @Operation(
            summary = "Abort a direct multipart upload",
            description = "Its parts are discarded from storage; its part URLs store nothing any more.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = "invalid_id,not_found," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "204", description = "Aborted.")
    public Uni<RestResponse<Void>> abortMultipart(@RestPath String uploadId) {
        return multipart.abort(caller.user(), UploadId.parse(uploadId)).map(v -> RestResponse.noContent());
    }
}
