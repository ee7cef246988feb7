package io.reelvault.api;

import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.service.UsageService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/admin}: operator views. Pipeline workers only. */
@Path("/api/v1/admin")
@Tag(name = "admin", description = "Operator views. Pipeline workers only (group `pipeline`).")
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
    @Operation(
            summary = "Storage usage per area",
            description = "Objects and bytes per area (uploads, generations,"
                    + " compositions, temp) and in total: this replica's last complete usage scan plus the writes and deletes it"
                    + " has made since (`source: \"scan+increments\"`; `\"increments\"` and `scanned_at: null` before its first"
                    + " scan). The same numbers as the `reelvault_storage_objects`/`_bytes` gauges.",
            extensions =
                    @Extension(name = ApiDocs.PROBLEM_CODES, value = "")) // in memory: only the errors of every call
    @APIResponse(responseCode = "200", description = "The usage.")
    public UsageService.UsageView usage() {
        return usage.usage();
    }
}
