package io.reelvault.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.RestAssured;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's own OpenAPI document ({@code /q/openapi}) as the contract of its answers: a RestAssured filter that
 * checks every answer a test receives (status, headers, Content-Type, body) against the operation the document has
 * for its method and path, and fails the call with the validator's report when it does not match.
 *
 * <p>Installed for every test method of a {@code @QuarkusTest} class annotated {@link Checked}
 * ({@link OpenApiContractCallbacks}). Requests are not validated: tests send hostile and malformed requests on
 * purpose, and what the service answers to them is checked as any answer. Paths the document does not have (a test of
 * an unknown route) are not checked either.
 */
public final class OpenApiContract {

    /**
     * Every RestAssured answer of the annotated test class, and of its subclasses (the S3 runs of a local API test),
     * is validated against {@code /q/openapi}.
     */
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Checked {}

    /** The levels of the validator's messages: requests and unknown paths ignored, everything else an error. */
    public static final LevelResolver LEVELS = LevelResolver.create()
            .withLevel("validation.request", ValidationReport.Level.IGNORE)
            .withLevel("validation.response", ValidationReport.Level.ERROR)
            .withDefaultLevel(ValidationReport.Level.ERROR)
            .build();

    /** One validator per document text (test profiles may serve different documents; most serve the same). */
    private static final ConcurrentHashMap<String, OpenApiInteractionValidator> VALIDATORS = new ConcurrentHashMap<>();

    private static final Filter FILTER = new Filter();

    private OpenApiContract() {}

    /** The validator of the document served at {@code baseUri} (e.g. {@code http://localhost:8081}). */
    public static OpenApiInteractionValidator validator(String baseUri) {
        return validatorOf(document(baseUri));
    }

    /** The validator of an OpenAPI 3.1 document (as {@code /q/openapi} serves it). */
    public static OpenApiInteractionValidator validatorOf(String document) {
        return VALIDATORS.computeIfAbsent(
                document,
                d -> OpenApiInteractionValidator.createForInlineApiSpecification(asOpenApi30(d))
                        .withLevelResolver(LEVELS)
                        .build());
    }

    /**
     * The document as OpenAPI 3.0.3, for the validator: it loads 3.1 documents but then skips every body schema
     * silently (its JSON Schema engine is draft 4), while it validates 3.0 schemas fully and refuses to load a
     * document with an attribute 3.0 lacks, so nothing 3.1-only slips through unseen. Converted: the version; a
     * schema's {@code type: [T, "null"]} to {@code type: T, nullable: true}; a schema's {@code examples} list to its
     * first as {@code example}. Anything else 3.1-only fails the load, and with it the test.
     */
    public static String asOpenApi30(String document) {
        try {
            ObjectNode doc = (ObjectNode) JSON.readTree(document);
            if (!doc.path("openapi").asText().startsWith("3.1")) {
                return document;
            }
            doc.put("openapi", "3.0.3");
            downgrade(doc);
            return JSON.writeValueAsString(doc);
        } catch (IOException e) {
            throw new AssertionError("/q/openapi is not JSON", e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void downgrade(JsonNode node) {
        if (node instanceof ObjectNode o) {
            JsonNode examples = o.get("examples");
            if (examples != null && examples.isArray()) {
                o.remove("examples");
                if (!examples.isEmpty()) {
                    o.set("example", examples.get(0));
                }
            }
            JsonNode type = o.get("type");
            if (type != null && type.isArray()) {
                List<String> types = new ArrayList<>();
                type.forEach(t -> types.add(t.asText()));
                boolean nullable = types.remove("null");
                if (types.size() != 1) {
                    throw new AssertionError("a schema of several types " + type + " has no OpenAPI 3.0 form");
                }
                o.put("type", types.get(0));
                if (nullable) {
                    o.put("nullable", true);
                }
            }
            o.forEach(OpenApiContract::downgrade);
        } else if (node instanceof ArrayNode a) {
            a.forEach(OpenApiContract::downgrade);
        }
    }

    /** The validator of the document of the application under test (RestAssured's base URI and port). */
    public static OpenApiInteractionValidator validator() {
        return validator(apiBase());
    }

    private static String apiBase() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }

    private static final ConcurrentHashMap<String, List<String>> ELSEWHERE = new ConcurrentHashMap<>();

    /** The document's paths whose path item names servers of its own: served elsewhere than the API port. */
    private static List<String> elsewhere(String document) {
        return ELSEWHERE.computeIfAbsent(document, d -> {
            List<String> paths = new ArrayList<>();
            try {
                JSON.readTree(d).path("paths").fields().forEachRemaining(e -> {
                    if (e.getValue().has("servers")) {
                        paths.add(e.getKey());
                    }
                });
            } catch (IOException e) {
                throw new AssertionError("/q/openapi is not JSON", e);
            }
            return paths;
        });
    }

    /** Adds the filter to RestAssured's global filters (idempotent). */
    public static void install() {
        if (!RestAssured.filters().contains(FILTER)) {
            RestAssured.filters(FILTER);
        }
    }

    /** Removes it, leaving any other global filter. */
    public static void uninstall() {
        List<io.restassured.filter.Filter> others =
                RestAssured.filters().stream().filter(f -> f != FILTER).toList();
        RestAssured.replaceFiltersWith(others);
    }

    /** The document each base URI serves, fetched once: a random port is one application's. */
    private static final ConcurrentHashMap<String, String> DOCUMENTS = new ConcurrentHashMap<>();

    private static String document(String baseUri) {
        return DOCUMENTS.computeIfAbsent(baseUri, OpenApiContract::fetch);
    }

    private static String fetch(String baseUri) {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(baseUri + "/q/openapi?format=json"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new AssertionError("GET /q/openapi answered " + answer.statusCode());
            }
            return answer.body();
        } catch (IOException e) {
            throw new AssertionError("GET /q/openapi failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs last among filters, on the answer as the server sent it. */
    private static final class Filter implements OrderedFilter {
        @Override
        public Response filter(
                FilterableRequestSpecification request,
                FilterableResponseSpecification response,
                FilterContext context) {
            // the document of the API port, also for calls to the management interface (health, metrics), which
            // the document describes but does not serve. A path whose item names its own servers (the management
            // interface's) is not served on the API port: a test asking the API port for it (and getting 404) is
            // outside the document; so is one asking the management interface for an API path
            String path = request.getDerivedPath();
            boolean apiPort = request.getPort() == RestAssured.port;
            if (apiPort == elsewhere(document(apiBase())).contains(path)) {
                return context.next(request, response);
            }
            return new OpenApiValidationFilter(validator()).filter(request, response, context);
        }

        @Override
        public int getOrder() {
            return OrderedFilter.LOWEST_PRECEDENCE;
        }
    }
}
