package io.reelvault.api;

import io.reelvault.service.UsageService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /api/v1/admin}: operator views. Pipeline workers only. */
@Path("/api/v1/admin")
@RolesAllowed(Caller.PIPELINE)
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private final UsageService usage;

    public AdminResource(UsageService usage) {
        this.usage = usage;
    }

    /** {@code GET /api/v1/admin/usage}: {@code {areas: {uploads: {objects, bytes}, ...}, total, scanned_at, source}}. */
    @GET
    @Path("/usage")
    public UsageService.UsageView usage() {
        return usage.usage();
    }
}
