package io.reelvault.api;

import io.quarkus.security.Authenticated;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UploadFilename;
import io.reelvault.model.UploadId;
import io.reelvault.service.PresignedUpload;
import io.reelvault.service.RateClass;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.UploadMetadata;
import io.reelvault.service.UploadPage;
import io.reelvault.service.UploadService;
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
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code /api/v1/uploads}: a user's brand assets. Bodies stream from the connection to storage on
 * the event loop (no worker thread, no buffering); file I/O happens in the store's worker pool.
 */
@Path("/api/v1/uploads")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class UploadResource {
    private final UploadService uploads;
    private final Caller caller;

    public UploadResource(UploadService uploads, Caller caller) {
        this.uploads = uploads;
        this.caller = caller;
    }

    /** Raw body: {@code POST /api/v1/uploads?filename=logo.png} with the file's Content-Type. */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @POST
    @Consumes(MediaType.WILDCARD)
    public Uni<RestResponse<UploadMetadata>> uploadRaw(@RestQuery String filename, @Context HttpServerRequest request) {
        var user = caller.user();
        OptionalLong length = RequestBodies.contentLength(request);
        UploadFilename name = uploads.precheck(filename, request.getHeader(HttpHeaders.CONTENT_TYPE), length);
        RequestBodies.acceptBody(request);
        return uploads.upload(user, name, length, RequestBodies.raw(request)).map(UploadResource::created);
    }

    /** {@code multipart/form-data} with the file in the part named {@code file}. */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Uni<RestResponse<UploadMetadata>> uploadMultipart(@Context HttpServerRequest request) {
        var user = caller.user();
        OptionalLong length = RequestBodies.contentLength(request);
        if (length.isPresent() && length.getAsLong() > uploads.maxBytes() + MULTIPART_OVERHEAD) {
            throw new ReelvaultException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "the body is larger than the limit of " + uploads.maxBytes() + " bytes");
        }
        RequestBodies.acceptBody(request);
        return RequestBodies.multipartField(request, "file", (part, body) -> {
            UploadFilename name = uploads.precheck(part.filename(), part.contentType(), OptionalLong.empty());
            return uploads.upload(user, name, OptionalLong.empty(), body);
        }).map(UploadResource::created);
    }

    /** A direct upload: {@code {filename, content_type, size_bytes}} in, a 15-minute PUT URL out. */
    public record PresignRequest(String filename, String contentType, Long sizeBytes) {}

    /** Step 1 of a direct upload: type and size are checked now; the bytes go straight to storage. */
    @RateLimited(RateClass.URL)
    @POST
    @Path("/presign")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<PresignedUpload>> presign(PresignRequest request) {
        if (request == null || request.sizeBytes() == null) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "filename, content_type and size_bytes are required");
        }
        return uploads.presign(caller.user(), request.filename(), request.contentType(), request.sizeBytes())
                .map(p -> RestResponse.status(RestResponse.Status.CREATED, p));
    }

    /** Step 2 of a direct upload: checks size and magic bytes, then records the upload. */
    @POST
    @Path("/{uploadId}/complete")
    public Uni<UploadMetadata> complete(@RestPath String uploadId) {
        return uploads.complete(caller.user(), UploadId.parse(uploadId));
    }

    /** Headroom for multipart boundaries and part headers when comparing Content-Length to the limit. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;

    @GET
    public Uni<UploadPage> list(@RestQuery String after, @RestQuery Integer limit) {
        return uploads.list(caller.user(), Optional.ofNullable(after).map(UploadId::parse), QueryParams.limit(limit));
    }

    @GET
    @Path("/{uploadId}")
    public Uni<UploadMetadata> get(@RestPath String uploadId) {
        return uploads.get(caller.user(), UploadId.parse(uploadId));
    }

    /** A 1-hour signed GET URL of the original: {@code {url, expires_in, method}}. */
    @RateLimited(RateClass.URL)
    @GET
    @Path("/{uploadId}/url")
    public Uni<SignedUrlView> url(@RestPath String uploadId) {
        return uploads.url(caller.user(), UploadId.parse(uploadId));
    }

    @DELETE
    @Path("/{uploadId}")
    public Uni<RestResponse<Void>> delete(@RestPath String uploadId) {
        return uploads.delete(caller.user(), UploadId.parse(uploadId)).map(v -> RestResponse.noContent());
    }

    private static RestResponse<UploadMetadata> created(UploadMetadata meta) {
        return RestResponse.ResponseBuilder.<UploadMetadata>created(URI.create("/api/v1/uploads/" + meta.uploadId())).entity(meta).build();
    }
}
