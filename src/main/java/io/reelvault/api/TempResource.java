package io.reelvault.api;

import io.reelvault.model.JobId;
import io.reelvault.model.TempName;
import io.reelvault.service.ArtifactWriter;
import io.reelvault.service.RateClass;
import io.reelvault.service.SignedUrlView;
import io.reelvault.service.TempService;
import io.vertx.core.http.HttpServerRequest;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

/** {@code /api/v1/temp/{job_id}}: processing jobs' intermediate files. Pipeline workers only. */
@Path("/api/v1/temp/{jobId}")
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
    public Uni<TempService.TempFile> put(@RestPath String jobId, @RestPath String name, @Context HttpServerRequest request) {
        JobId job = JobId.parse(jobId);
        TempName file = TempName.parse(name);
        return RequestBodies.artifact(writer, file.requiredType().orElse(null), request, () -> Uni.createFrom().voidItem(),
                (length, body) -> temp.put(job, file, length, body));
    }

    /** A 30-minute signed GET URL: {@code {url, expires_in, method}}. */
    @RateLimited(RateClass.URL)
    @GET
    @Path("/{name}/url")
    public Uni<SignedUrlView> url(@RestPath String jobId, @RestPath String name) {
        return temp.url(JobId.parse(jobId), TempName.parse(name));
    }

    /** Deletes every file of the job; 204 also when it had none. */
    @DELETE
    public Uni<RestResponse<Void>> delete(@RestPath String jobId) {
        return temp.deleteJob(JobId.parse(jobId)).map(v -> RestResponse.noContent());
    }
}
