package io.reelvault.api;

import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.model.JobId;
import io.reelvault.model.TempName;
import io.reelvault.service.RateClass;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.artifact.ArtifactWriter;
import io.reelvault.service.temp.TempService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** {@code /api/v1/temp/{job_id}}: processing jobs' intermediate files. Pipeline workers only. */
@Path("/api/v1/temp/{jobId}")
@Tag(
        name = "temp files",
        description = "Processing jobs' intermediate files under `temp/{job_id}/processing/`, kept 7 days,"
                + " with 30-minute URLs. Pipeline workers only (group `pipeline`).")
@RolesAllowed(Caller.PIPELINE)
@Produces(MediaType.APPLICATION_JSON)
public class TempResource {
    private final TempService temp;
    private final ArtifactWriter writer;

    public TempResource(TempService temp, ArtifactWriter writer) {
        this.temp = temp;
        this.writer = writer;
    }

    /** {@code intermediate_*.mp4}, {@code render_pass_*.mp4} (video/mp4, MP4 by content) or {@code *.tmp} (any bytes). */
    @StreamedBody
    @RateLimited(RateClass.UPLOAD)
    @PUT
    @Path("/{name}")
    @Consumes(MediaType.WILDCARD)
    @Operation(
            summary = "Store a temp file",
            description = "Streams the file (up to `REELVAULT_PIPELINE_MAX_SIZE`),"
                    + " replacing an earlier one of the name: `.mp4` names must be sent as `video/mp4` and be MP4 by content,"
                    + " `.tmp` names may hold any bytes (stored as `application/octet-stream`).",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "invalid_id,invalid_filename," + ApiDocs.STREAMED_BODY))
    @RequestBody(
            required = true,
            content = {
                @Content(mediaType = "video/mp4", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(
                        mediaType = "application/octet-stream",
                        schema = @Schema(type = SchemaType.STRING, format = "binary"))
            })
    @APIResponse(
            responseCode = "200",
            description = "Stored.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = TempService.TempFile.class)))
    public Uni<TempService.TempFile> put(
            @RestPath String jobId, @RestPath String name, @Context HttpServerRequest request) {
        JobId job = JobId.parse(jobId);
        TempName file = TempName.parse(name);
        return RequestBodies.artifact(
                writer,
                file.requiredType().orElse(null),
                request,
                () -> Uni.createFrom().voidItem(),
                (length, body) -> temp.put(job, file, length, body));
    }

    /** A 30-minute signed GET URL: {@code {url, expires_in, method}}. */
    @RateLimited(RateClass.URL)
    @GET
    @Path("/{name}/url")
    @Operation(
            summary = "Get a temp file's URL",
            description = "A signed GET URL valid 30 minutes (never past the file's"
                    + " expiry), for ffmpeg and other workers.",
            extensions =
                    @Extension(
                            name = ApiDocs.PROBLEM_CODES,
                            value = "invalid_id,invalid_filename,not_found,expired," + "rate_limited,"
                                    + ApiDocs.STORAGE))
    @APIResponse(
            responseCode = "200",
            description = "`{url, expires_in, method: \"GET\"}`.",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SignedUrlView.class)))
    public Uni<SignedUrlView> url(@RestPath String jobId, @RestPath String name) {
        return temp.url(JobId.parse(jobId), TempName.parse(name));
    }

    /** Deletes every file of the job; 204 also when it had none. */
    @DELETE
    @Operation(
            summary = "Delete a job's temp files",
            description = "Every file of the job; 204 also when it had none.",
            extensions = @Extension(name = ApiDocs.PROBLEM_CODES, value = "invalid_id," + ApiDocs.STORAGE))
    @APIResponse(responseCode = "204", description = "Deleted.")
    public Uni<RestResponse<Void>> delete(@RestPath String jobId) {
        return temp.deleteJob(JobId.parse(jobId)).map(v -> RestResponse.noContent());
    }
}
