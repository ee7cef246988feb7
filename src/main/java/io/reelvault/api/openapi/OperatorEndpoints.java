package io.reelvault.api.openapi;

import static io.reelvault.api.openapi.OpenApiParts.string;

import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.servers.Server;

/**
 * The operators' endpoints: {@code /q/openapi} on the API port, and {@code /q/health/*} and {@code /q/metrics}, which
 * answer on the management interface only, so their path items name it as their server ({@code /q/openapi} comes
 * from Quarkus). Their errors are not problem documents, so they get no Problem responses.
 */
final class OperatorEndpoints {
    static final String PREFIX = "/q/";
    static final String TAG = "operators";

    private OperatorEndpoints() {}

    /** Adds their path items and their tag. */
    static void addTo(OpenAPI openAPI) {
        List<Server> management = List.of(
                OASFactory.createServer()
                        .url("http://localhost:" + managementPort())
                        .description(
                                "the management interface (QUARKUS_MANAGEMENT_HOST, QUARKUS_MANAGEMENT_PORT), not the API port"));
        openAPI.getPaths()
                .addPathItem(
                        "/q/metrics",
                        operatorEndpoint(
                                        "Prometheus metrics",
                                        "The `reelvault_*` meters (see"
                                                + " the README), HTTP server and JVM meters, in the Prometheus text format. For scrapers; no token. On the"
                                                + " management interface only.",
                                        "text/plain",
                                        string("Prometheus text exposition format"))
                                .servers(management));
        for (String[] health : new String[][] {
            {"live", "Liveness", "UP while the process can serve; a DOWN answer (503) asks for a restart."},
            {
                "ready",
                "Readiness",
                "UP (200) when the storage backend answers its probe (local: the root is writable"
                        + " and has REELVAULT_STORAGE_LOCAL_MIN_FREE free; a full disk says `the storage is full` in the"
                        + " `storage` check) and the service is not shutting down, else DOWN (503); the cache shows in the"
                        + " details only. A verdict is reused for a second."
            },
            {"started", "Start-up", "UP (200) once the service has started."}
        }) {
            PathItem item = operatorEndpoint(
                            health[1],
                            health[2] + " For orchestrators; no token. On the management" + " interface only.",
                            "application/json",
                            OASFactory.createSchema().addType(SchemaType.OBJECT))
                    .servers(management);
            item.getGET()
                    .getResponses()
                    .addAPIResponse(
                            "503",
                            OASFactory.createAPIResponse()
                                    .description("DOWN")
                                    .content(OASFactory.createContent()
                                            .addMediaType(
                                                    "application/json",
                                                    OASFactory.createMediaType()
                                                            .schema(OASFactory.createSchema()
                                                                    .addType(SchemaType.OBJECT)))));
            openAPI.getPaths().addPathItem("/q/health/" + health[0], item);
        }
        openAPI.getPaths()
                .addPathItem(
                        "/q/openapi",
                        operatorEndpoint(
                                "This document",
                                "OpenAPI 3.1, YAML by default;"
                                        + " `?format=json` or `Accept: application/json` for JSON. Swagger UI (`/q/swagger-ui`) exists in dev mode"
                                        + " only.",
                                "application/yaml",
                                OASFactory.createSchema().addType(SchemaType.OBJECT)));
        // metrics: the OpenMetrics text format too, which the registry answers when the Accept header allows it
        // (Prometheus asks for it first; so does a client that accepts anything)
        openAPI.getPaths()
                .getPathItem("/q/metrics")
                .getGET()
                .getResponses()
                .getAPIResponse("200")
                .getContent()
                .addMediaType(
                        "application/openmetrics-text",
                        OASFactory.createMediaType().schema(string("OpenMetrics text format")));
        // the JSON form: its media type, and the query parameter that asks for it
        PathItem document = openAPI.getPaths().getPathItem("/q/openapi");
        document.getGET()
                .addParameter(OASFactory.createParameter()
                        .name("format")
                        .in(org.eclipse.microprofile.openapi.models.parameters.Parameter.In.QUERY)
                        .description("`json` for JSON, `yaml` (the default) for YAML")
                        .schema(OASFactory.createSchema()
                                .addType(SchemaType.STRING)
                                .enumeration(List.of("json", "yaml", "JSON", "YAML"))));
        document.getGET()
                .getResponses()
                .getAPIResponse("200")
                .getContent()
                .addMediaType(
                        "application/json",
                        OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().addType(SchemaType.OBJECT)));
        openAPI.addTag(OASFactory.createTag().name(TAG).description("For operators and their tools: no token."));
    }

    /**
     * The management interface's port ({@code quarkus.management.port}, 9000 by default; the port it listens on when
     * configured as 0, since the document is made at its first request, when the interface listens).
     */
    private static int managementPort() {
        return ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.port", Integer.class)
                .orElse(9000);
    }

    private static PathItem operatorEndpoint(String summary, String description, String mediaType, Schema schema) {
        return OASFactory.createPathItem()
                .GET(OASFactory.createOperation()
                        .summary(summary)
                        .description(description)
                        .tags(List.of(TAG))
                        .responses(OASFactory.createAPIResponses()
                                .addAPIResponse(
                                        "200",
                                        OASFactory.createAPIResponse()
                                                .description("OK")
                                                .content(OASFactory.createContent()
                                                        .addMediaType(
                                                                mediaType,
                                                                OASFactory.createMediaType()
                                                                        .schema(schema))))));
    }
}
