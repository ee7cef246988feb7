package io.reelvault.api;

import io.quarkus.security.Authenticated;
import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.TusUploadId;
import io.reelvault.model.UserId;
import io.reelvault.service.RateClass;
import io.reelvault.service.tus.TusService;
import io.reelvault.service.tus.UploadChecksum;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
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
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code /api/v1/tus/}: resumable uploads, tus 1.0.0 with the extensions creation, creation-with-upload,
 * creation-defer-length, expiration, checksum, termination and concatenation. The protocol's headers are parsed here, once; the
 * service does the rest. Every answer carries {@code Tus-Resumable} ({@link TusHeaders}); errors are problem+json with
 * the codes of the catalog (412 {@code tus_version_unsupported}, 409 {@code offset_mismatch}, 423
 * {@code upload_locked}, 410 {@code upload_expired}, 460 {@code checksum_mismatch}, ...). PATCH bodies stream from the
 * connection to storage as the plain uploads' do.
 */
@Path("/api/v1/tus")
@Tag(
        name = "resumable uploads (tus)",
        description = "tus 1.0.0 resumable uploads of everything the plain upload endpoints take (user uploads and"
                + " pipeline artifacts), with creation, creation-with-upload, creation-defer-length, expiration, checksum"
                + " (sha1, sha256, crc32c), termination and concatenation (parallel partial uploads). Every request needs the bearer token and `Tus-Resumable: 1.0.0`"
                + " (but OPTIONS); an upload is visible to its creator only.")
@Authenticated
public class TusResource {
    static final String VERSION = "1.0.0";
    static final String EXTENSIONS =
            "creation,creation-with-upload,creation-defer-length,expiration,checksum,termination,concatenation";
    static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final TusService tus;
    private final Caller caller;

    public TusResource(TusService tus, Caller caller) {
        this.tus = tus;
        this.caller = caller;
    }

    @OPTIONS
    @Operation(
            summary = "Discover the tus server's capabilities",
            description = "204 with `Tus-Version`, `Tus-Extension`, `Tus-Max-Size` (the largest upload this caller may"
                    + " create) and `Tus-Checksum-Algorithm`.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = ""))
    @APIResponse(
            responseCode = "204",
            description = "The capabilities.",
            headers = {
                @Header(name = "Tus-Version", schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Tus-Extension", schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Tus-Max-Size", schema = @Schema(type = SchemaType.INTEGER)),
                @Header(name = "Tus-Checksum-Algorithm", schema = @Schema(type = SchemaType.STRING))
            })
    public RestResponse<Void> options() {
        UserId user = caller.user(); // a valid subject, as on every request
        return RestResponse.ResponseBuilder.<Void>noContent()
                .header("Tus-Version", VERSION)
                .header("Tus-Extension", EXTENSIONS)
                .header("Tus-Max-Size", Long.toString(tus.maxSize(caller.isPipeline())))
                .header("Tus-Checksum-Algorithm", UploadChecksum.ALGORITHMS)
                .build();
    }

    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Create a resumable upload",
            description =
                    "`Upload-Length` (or `Upload-Defer-Length: 1`) and `Upload-Metadata`: Base64 pairs `filename`,"
                            + " `filetype` and `target` = `upload` (default) | `generation_clip` | `generation_thumbnail` |"
                            + " `generation_audio` | `composition_final` | `composition_thumbnail` | `temp`, plus `generation_id`,"
                            + " `composition_id`, `clip`, `job_id` as the target needs. Checked now as the target's plain endpoint"
                            + " checks a request (name and declared type, size limit, pipeline group, the generation or composition),"
                            + " and rate-limited as an upload. With a body (`Content-Type: application/offset+octet-stream`,"
                            + " creation-with-upload) its bytes are the first chunk. 201 with `Location` and `Upload-Expires`"
                            + " (`REELVAULT_TUS_EXPIRY` after creation). Concatenation: `Upload-Concat: partial` creates a"
                            + " partial upload (needs `Upload-Length`; its metadata is kept, not checked) that is never published"
                            + " by itself; `Upload-Concat: final;{url} {url} ...` (no `Upload-Length`, no body, 1-128 of the"
                            + " caller's finished partial uploads) checks `Upload-Metadata` as above on the summed length and"
                            + " publishes the parts' bytes, in order, before answering 201 (finished, `Reelvault-Resource`);"
                            + " the parts are then gone.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "tus_version_unsupported,forbidden,invalid_id,invalid_filename,not_found,expired,"
                                    + "conflict,checksum_mismatch,checksum_unsupported,upload_expired,upload_locked,"
                                    + ApiDocs.STREAMED_BODY))
    @Parameter(
            name = "Tus-Resumable",
            in = ParameterIn.HEADER,
            required = true,
            example = VERSION,
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(
            name = "Upload-Length",
            in = ParameterIn.HEADER,
            description = "the upload's size in bytes",
            schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0"))
    @Parameter(
            name = "Upload-Defer-Length",
            in = ParameterIn.HEADER,
            description = "`1`: the size comes later",
            schema =
                    @Schema(
                            type = SchemaType.STRING,
                            enumeration = {"1"}))
    @Parameter(
            name = "Upload-Metadata",
            in = ParameterIn.HEADER,
            description = "`key base64,key base64,...`",
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(
            name = "Upload-Concat",
            in = ParameterIn.HEADER,
            description = "`partial`, or `final;{url} {url} ...` (the partial uploads' URLs or paths, in order)",
            schema = @Schema(type = SchemaType.STRING))
    @RequestBody(
            content =
                    @Content(
                            mediaType = OFFSET_OCTET_STREAM,
                            schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(
            responseCode = "201",
            description = "Created.",
            headers = {
                @Header(
                        name = "Location",
                        description = "`/api/v1/tus/{tus_id}`",
                        schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Upload-Expires", schema = @Schema(type = SchemaType.STRING)),
                @Header(
                        name = "Upload-Offset",
                        description = "with a body, and for a final upload",
                        schema = @Schema(type = SchemaType.INTEGER)),
                @Header(
                        name = "Reelvault-Resource",
                        description = "once finished: the URL of what the upload became",
                        schema = @Schema(type = SchemaType.STRING))
            })
    public Uni<RestResponse<Void>> create(@Context HttpServerRequest request, @Context UriInfo uri) {
        UserId user = caller.user();
        boolean pipeline = caller.isPipeline();
        Created created = Created.under(uri);
        requireVersion(request);
        OptionalLong length = uploadLength(request);
        String concat = request.getHeader("Upload-Concat");
        if (concat != null && !concat.strip().equals("partial")) {
            return concatenate(request, user, pipeline, created, concat, length);
        }
        String deferHeader = request.getHeader("Upload-Defer-Length");
        if (length.isPresent() == (deferHeader != null)) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "send either Upload-Length or Upload-Defer-Length: 1");
        }
        if (deferHeader != null && !deferHeader.strip().equals("1")) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "Upload-Defer-Length must be 1");
        }
        OptionalLong contentLength = RequestBodies.contentLength(request);
        boolean withBody = contentLength.isPresent() && contentLength.getAsLong() > 0
                || contentLength.isEmpty() && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        if (withBody) {
            requireOffsetStream(request);
        }
        Optional<UploadChecksum> checksum =
                withBody ? UploadChecksum.parse(request.getHeader("Upload-Checksum")) : Optional.empty();
        String metadata = request.getHeader("Upload-Metadata");
        Multi<ByteBuffer> body =
                withBody ? RequestBodies.raw(request) : Multi.createFrom().empty();
        Uni<TusService.Progress> creation = concat == null
                ? tus.create(user, pipeline, length, metadata)
                : tus.createPartial(user, pipeline, length, metadata);
        return creation.chain(made -> {
            String location = created.uri("api/v1/tus/" + made.id()).toString();
            boolean firstChunk = withBody || length.isPresent() && length.getAsLong() == 0;
            Uni<TusService.Progress> after = firstChunk
                    ? Uni.createFrom()
                            .voidItem()
                            .invoke(() -> RequestBodies.acceptBody(request))
                            .chain(() ->
                                    tus.patch(user, made.id(), 0, OptionalLong.empty(), checksum, contentLength, body))
                    : Uni.createFrom().item(made);
            return after.map(progress -> {
                RestResponse.ResponseBuilder<Void> answer = RestResponse.ResponseBuilder.<Void>create(
                                RestResponse.Status.CREATED)
                        .header("Location", location);
                progressHeaders(answer, progress, firstChunk);
                resourceHeader(answer, progress, created);
                return answer.build();
            });
        });
    }

    /** POST with {@code Upload-Concat: final;...}: the parts' bytes published as one upload before the 201. */
    private Uni<RestResponse<Void>> concatenate(
            HttpServerRequest request,
            UserId user,
            boolean pipeline,
            Created created,
            String concat,
            OptionalLong length) {
        String value = concat.strip();
        if (!value.startsWith("final;")) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "Upload-Concat must be partial or final;{url} {url} ...");
        }
        if (length.isPresent() || request.getHeader("Upload-Defer-Length") != null) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST, "a final upload's length is its parts'; send no Upload-Length");
        }
        OptionalLong contentLength = RequestBodies.contentLength(request);
        if (contentLength.isPresent() && contentLength.getAsLong() > 0
                || contentLength.isEmpty() && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "a final upload takes no body");
        }
        List<TusUploadId> parts = concatParts(value.substring("final;".length()));
        return tus.concatenate(user, pipeline, parts, request.getHeader("Upload-Metadata"))
                .map(progress -> {
                    RestResponse.ResponseBuilder<Void> answer = RestResponse.ResponseBuilder.<Void>create(
                                    RestResponse.Status.CREATED)
                            .header(
                                    "Location",
                                    created.uri("api/v1/tus/" + progress.id()).toString());
                    progressHeaders(answer, progress, true);
                    resourceHeader(answer, progress, created);
                    return answer.build();
                });
    }

    /**
     * The partial uploads a final upload names: space-separated URLs or paths whose path is
     * {@code /api/v1/tus/{tus_id}} (a client sends the {@code Location}s it was given); at most
     * {@link TusService#MAX_PARTS}.
     */
    static List<TusUploadId> concatParts(String list) {
        String[] urls = list.strip().split(" +");
        if (list.isBlank() || urls.length > TusService.MAX_PARTS) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST,
                    "Upload-Concat: final; names 1 to " + TusService.MAX_PARTS + " partial uploads");
        }
        List<TusUploadId> parts = new ArrayList<>(urls.length);
        for (String url : urls) {
            String path;
            try {
                path = URI.create(url).getRawPath();
            } catch (IllegalArgumentException e) {
                throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "Upload-Concat names something not a URL");
            }
            String prefix = "/api/v1/tus/";
            if (path == null || !path.startsWith(prefix)) {
                throw new ReelvaultException(
                        ErrorCode.INVALID_REQUEST, "Upload-Concat names a URL that is not an upload of /api/v1/tus/");
            }
            parts.add(TusUploadId.parse(path.substring(prefix.length())));
        }
        return parts;
    }

    @HEAD
    @Path("/{tusId}")
    @Operation(
            summary = "Ask where a resumable upload stands",
            description =
                    "200 with `Upload-Offset` (bytes stored so far), `Upload-Length` (or `Upload-Defer-Length: 1`),"
                            + " `Upload-Metadata` as sent, `Upload-Expires` and `Cache-Control: no-store`. Another caller's upload is 404.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "tus_version_unsupported,invalid_id,not_found,upload_expired," + ApiDocs.STORAGE))
    @Parameter(
            name = "Tus-Resumable",
            in = ParameterIn.HEADER,
            required = true,
            example = VERSION,
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(
            responseCode = "200",
            description = "Where it stands.",
            headers = {
                @Header(name = "Upload-Offset", schema = @Schema(type = SchemaType.INTEGER)),
                @Header(name = "Upload-Length", schema = @Schema(type = SchemaType.INTEGER)),
                @Header(name = "Upload-Metadata", schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Upload-Expires", schema = @Schema(type = SchemaType.STRING)),
                @Header(
                        name = "Upload-Concat",
                        description = "`partial`, or `final;{path} {path} ...`",
                        schema = @Schema(type = SchemaType.STRING))
            })
    public Uni<RestResponse<Void>> head(
            @RestPath String tusId, @Context HttpServerRequest request, @Context UriInfo uri) {
        UserId user = caller.user();
        Created created = Created.under(uri);
        requireVersion(request);
        TusUploadId id = TusUploadId.parse(tusId);
        return tus.head(user, id).map(progress -> {
            RestResponse.ResponseBuilder<Void> answer =
                    RestResponse.ResponseBuilder.<Void>ok().header("Cache-Control", "no-store");
            progressHeaders(answer, progress, true);
            if (progress.length().isEmpty()) {
                answer.header("Upload-Defer-Length", "1");
            } else {
                answer.header("Upload-Length", Long.toString(progress.length().getAsLong()));
            }
            if (!progress.metadata().isEmpty()) {
                answer.header("Upload-Metadata", progress.metadata());
            }
            progress.concat().ifPresent(value -> answer.header("Upload-Concat", value));
            resourceHeader(answer, progress, created);
            return answer.build();
        });
    }

    @StreamedBody
    @PATCH
    @Path("/{tusId}")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Send a chunk of a resumable upload",
            description = "`Content-Type: application/offset+octet-stream` (else 415), `Upload-Offset` equal to the"
                    + " upload's offset (else 409 `offset_mismatch`); optional `Upload-Checksum` (`sha1`|`sha256`|`crc32c`"
                    + " and the Base64 digest of this chunk: a mismatch discards the chunk, 460) and, for a deferred length,"
                    + " `Upload-Length`. 204 with the new `Upload-Offset` once the bytes are on disk (fsynced). A second PATCH"
                    + " of the same upload while one runs (on any replica) is 423 `upload_locked`. The chunk that completes"
                    + " the upload publishes it exactly as the plain endpoint would (same key, same metadata.json, same"
                    + " content checks); `Reelvault-Resource` then names what it became. A partial upload (concatenation)"
                    + " is not published when complete; a final upload takes no PATCH (403 `forbidden`).",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "tus_version_unsupported,forbidden,invalid_id,not_found,expired,conflict,"
                                    + "upload_expired,offset_mismatch,upload_locked,checksum_mismatch,"
                                    + "checksum_unsupported," + ApiDocs.STREAMED_BODY))
    @Parameter(
            name = "Tus-Resumable",
            in = ParameterIn.HEADER,
            required = true,
            example = VERSION,
            schema = @Schema(type = SchemaType.STRING))
    @Parameter(
            name = "Upload-Offset",
            in = ParameterIn.HEADER,
            required = true,
            schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0"))
    @Parameter(
            name = "Upload-Checksum",
            in = ParameterIn.HEADER,
            description = "e.g. `sha256 {base64}`",
            schema = @Schema(type = SchemaType.STRING))
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = OFFSET_OCTET_STREAM,
                            schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(
            responseCode = "204",
            description = "Stored.",
            headers = {
                @Header(name = "Upload-Offset", schema = @Schema(type = SchemaType.INTEGER)),
                @Header(name = "Upload-Expires", schema = @Schema(type = SchemaType.STRING)),
                @Header(
                        name = "Reelvault-Resource",
                        description = "once finished: the URL of what the upload became",
                        schema = @Schema(type = SchemaType.STRING))
            })
    public Uni<RestResponse<Void>> patch(
            @RestPath String tusId, @Context HttpServerRequest request, @Context UriInfo uri) {
        UserId user = caller.user();
        Created created = Created.under(uri);
        requireVersion(request);
        TusUploadId id = TusUploadId.parse(tusId);
        requireOffsetStream(request);
        long offset = number(request.getHeader("Upload-Offset"), "Upload-Offset")
                .orElseThrow(() -> new ReelvaultException(ErrorCode.INVALID_REQUEST, "Upload-Offset is required"));
        OptionalLong length = uploadLength(request);
        Optional<UploadChecksum> checksum = UploadChecksum.parse(request.getHeader("Upload-Checksum"));
        OptionalLong contentLength = RequestBodies.contentLength(request);
        Multi<ByteBuffer> body = RequestBodies.raw(request);
        RequestBodies.acceptBody(request);
        return tus.patch(user, id, offset, length, checksum, contentLength, body)
                .map(progress -> {
                    RestResponse.ResponseBuilder<Void> answer = RestResponse.ResponseBuilder.noContent();
                    progressHeaders(answer, progress, true);
                    resourceHeader(answer, progress, created);
                    return answer.build();
                });
    }

    @DELETE
    @Path("/{tusId}")
    @Operation(
            summary = "Terminate a resumable upload",
            description = "Its bytes and state are removed; later requests of it are 404.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "tus_version_unsupported,invalid_id,not_found,upload_expired,upload_locked,"
                                    + ApiDocs.STORAGE))
    @Parameter(
            name = "Tus-Resumable",
            in = ParameterIn.HEADER,
            required = true,
            example = VERSION,
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "204", description = "Terminated.")
    public Uni<RestResponse<Void>> terminate(@RestPath String tusId, @Context HttpServerRequest request) {
        UserId user = caller.user();
        requireVersion(request);
        TusUploadId id = TusUploadId.parse(tusId);
        return tus.terminate(user, id).map(v -> RestResponse.noContent());
    }

    private static void requireVersion(HttpServerRequest request) {
        String version = request.getHeader("Tus-Resumable");
        if (!VERSION.equals(version == null ? null : version.strip())) {
            throw new ReelvaultException(
                    ErrorCode.TUS_VERSION_UNSUPPORTED,
                    version == null
                            ? "Tus-Resumable is required (1.0.0)"
                            : "this server speaks tus " + VERSION + " only",
                    null,
                    Map.of("Tus-Version", VERSION));
        }
    }

    private static void requireOffsetStream(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String bare = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!bare.equals(OFFSET_OCTET_STREAM)) {
            throw new ReelvaultException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a chunk must be sent as " + OFFSET_OCTET_STREAM);
        }
    }

    private static OptionalLong uploadLength(HttpServerRequest request) {
        return number(request.getHeader("Upload-Length"), "Upload-Length");
    }

    /** A non-negative decimal header of at most 18 digits; empty when absent. */
    private static OptionalLong number(String value, String name) {
        if (value == null) {
            return OptionalLong.empty();
        }
        String v = value.strip();
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, name + " must be a non-negative integer");
        }
        return OptionalLong.of(Long.parseLong(v));
    }

    private static void progressHeaders(
            RestResponse.ResponseBuilder<Void> answer, TusService.Progress progress, boolean offset) {
        if (offset) {
            answer.header("Upload-Offset", Long.toString(progress.offset()));
        }
        if (!progress.finished()) {
            answer.header("Upload-Expires", HTTP_DATE.format(progress.expiresAt()));
        }
    }

    private static void resourceHeader(
            RestResponse.ResponseBuilder<Void> answer, TusService.Progress progress, Created created) {
        progress.resource()
                .ifPresent(path ->
                        answer.header("Reelvault-Resource", created.uri(path).toString()));
    }

    /** For {@link Instant}s in headers (tests). */
    static String httpDate(Instant instant) {
        return HTTP_DATE.format(instant);
    }
}
