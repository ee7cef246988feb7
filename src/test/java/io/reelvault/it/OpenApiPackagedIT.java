package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application builds its OpenAPI document on the first {@code /q/openapi} request, not at start
 * ({@code LazyOpenApiDocumentService}, effective only there: dev and test mode build it at start, which OpenApiTest
 * covers). Its document is the full one, with the run-time configuration of the start: the public base URL as its
 * server, the management port on the operators' endpoints; YAML and JSON alike, the same on every request.
 */
class OpenApiPackagedIT {
    @Test
    void theDocumentBuiltOnFirstRequestIsTheFullOneWithTheRuntimeConfiguration() throws Exception {
        int managementPort;
        try (ServerSocket s = new ServerSocket(0)) {
            managementPort = s.getLocalPort();
        }
        PackagedApp app = PackagedApp.start(
                "openapi",
                Map.of(
                        "REELVAULT_PUBLIC_BASE_URL",
                        "https://media.example.com",
                        "QUARKUS_MANAGEMENT_PORT",
                        Integer.toString(managementPort)));
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> json = http.send(
                    HttpRequest.newBuilder(app.uri("/q/openapi?format=json")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, json.statusCode());
            JsonNode doc = new ObjectMapper().readTree(json.body());
            assertEquals(
                    "https://media.example.com",
                    doc.at("/servers/0/url").asText(),
                    doc.path("servers").toString());
            assertEquals(
                    "http://localhost:" + managementPort,
                    doc.at("/paths/~1q~1health~1ready/servers/0/url").asText());
            // the filter's part: the Problem schema, the signed-URL route, the description
            assertTrue(doc.at("/components/schemas/Problem").isObject(), "no Problem schema");
            assertTrue(doc.at("/paths/~1storage~1{key}").isObject(), "no /storage/{key}");
            assertTrue(doc.at("/info/description").asText().contains("problem+json"));
            assertTrue(
                    doc.path("paths").size() > 10, "paths: " + doc.path("paths").size());

            HttpResponse<String> yaml = http.send(
                    HttpRequest.newBuilder(app.uri("/q/openapi")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, yaml.statusCode());
            assertTrue(
                    yaml.body().contains("url: https://media.example.com"),
                    yaml.body().lines().limit(20).toList().toString());
            assertTrue(yaml.body().contains("Problem:"));

            // built once: the next answer is the same document
            assertArrayEquals(
                    json.body(),
                    http.send(
                                    HttpRequest.newBuilder(app.uri("/q/openapi?format=json"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray())
                            .body());
        } finally {
            app.process().destroy();
            if (!app.process().waitFor(30, TimeUnit.SECONDS)) {
                app.process().destroyForcibly();
            }
        }
    }
}
