package io.reelvault.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.reelvault.api.openapi.AnswerSchemas;
import io.reelvault.api.openapi.ApiDocs;
import io.reelvault.api.problem.Problem;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ClipNumber;
import io.reelvault.model.CompositionId;
import io.reelvault.model.GenerationId;
import io.reelvault.model.JobId;
import io.reelvault.model.ObjectKey;
import io.reelvault.model.TempName;
import io.reelvault.model.UploadId;
import io.reelvault.model.UserId;
import io.reelvault.support.Management;
import io.reelvault.support.Problems;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document at {@code /q/openapi} describes the whole API: every path and method of DESIGN.md's table and
 * every JAX-RS route of the application (so a new endpoint without documentation fails here), each operation's errors
 * as the one Problem schema whose {@code code} is exactly the {@link ErrorCode} catalog, its authentication, and the
 * signed-URL route. Operations are compared as {@code METHOD /path} with path parameters written {@code {}}, since
 * DESIGN.md names them {@code {id}} where the code says {@code {generationId}}.
 */
@Tag("conformance")
@QuarkusTest
class OpenApiTest {
    /**
     * Mirrors the "HTTP API (v1)" table of DESIGN.md (../shared/DESIGN.md, outside this repository: CI has only the
     * repository), one line per method and path. Keep it in step with that table. {@code /q/swagger-ui} (also in the
     * table) exists in dev mode only and is not part of the document.
     */
    static final List<String> DESIGN_TABLE = List.of(
            "POST /api/v1/uploads",
            "POST /api/v1/uploads/presign",
            "POST /api/v1/uploads/{upload_id}/complete",
            "GET /api/v1/uploads",
            "GET /api/v1/uploads/{upload_id}",
            "GET /api/v1/uploads/{upload_id}/url",
            "DELETE /api/v1/uploads/{upload_id}",
            "POST /api/v1/generations",
            "PUT /api/v1/generations/{id}/clips/{n}",
            "PUT /api/v1/generations/{id}/thumbnails/{n}",
            "PUT /api/v1/generations/{id}/audio",
            "POST /api/v1/generations/{id}/complete",
            "GET /api/v1/generations/{id}",
            "DELETE /api/v1/generations/{id}",
            "POST /api/v1/compositions",
            "PUT /api/v1/compositions/{id}/final",
            "PUT /api/v1/compositions/{id}/thumbnail",
            "GET /api/v1/compositions/{id}",
            "GET /api/v1/compositions/{id}/download",
            "DELETE /api/v1/compositions/{id}",
            "PUT /api/v1/temp/{job_id}/{name}",
            "GET /api/v1/temp/{job_id}/{name}/url",
            "DELETE /api/v1/temp/{job_id}",
            "GET /storage/{key}",
            "HEAD /storage/{key}",
            "PUT /storage/{key}",
            "GET /api/v1/admin/usage",
            "GET /q/health/live",
            "GET /q/health/ready",
            "GET /q/metrics",
            "GET /q/openapi");

    static final String PROBLEM_REF = "#/components/schemas/Problem";
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "head", "patch", "options", "trace");

    static JsonNode doc;

    @BeforeEach
    void read() throws IOException {
        if (doc == null) { // once, with the application up (RestAssured knows its port in tests, not in @BeforeAll)
            doc = new ObjectMapper()
                    .readTree(given().get("/q/openapi?format=json")
                            .then()
                            .statusCode(200)
                            .extract()
                            .asString());
        }
    }

    @Test
    void everyOperationOfTheDesignTableIsDocumented() {
        Set<String> documented = operations().keySet();
        List<String> missing = DESIGN_TABLE.stream()
                .map(OpenApiTest::normalize)
                .filter(op -> !documented.contains(op))
                .toList();
        assertEquals(List.of(), missing, "documented: " + documented);
    }

    @Test
    void everyJaxRsRouteIsDocumentedAndNothingElseUnderTheApi() throws IOException {
        Map<String, Method> routes = jaxRsRoutes();
        assertTrue(routes.size() >= 27, "found the resources: " + routes.keySet());
        Set<String> documented = operations().keySet();
        assertEquals(
                List.of(),
                routes.keySet().stream().filter(r -> !documented.contains(r)).toList(),
                "undocumented routes");
        assertEquals(
                List.of(),
                documented.stream()
                        .filter(op -> op.contains(" /api/") && !routes.containsKey(op))
                        .toList(),
                "documented /api operations without a route");
    }

    /**
     * The scanner documents any JAX-RS method, even one nobody described: each must say what it does and which problem
     * codes it answers (an empty list when only those of every call), or be hidden behind another method of its route.
     */
    @Test
    void everyResourceMethodIsDescribed() throws IOException {
        Map<String, List<Method>> byRoute = new TreeMap<>();
        jaxRsRoutesAll()
                .forEach(m -> byRoute.computeIfAbsent(m.route(), r -> new ArrayList<>())
                        .add(m.method()));
        byRoute.forEach((route, methods) -> {
            List<Method> shown = methods.stream()
                    .filter(m -> !(m.isAnnotationPresent(Operation.class)
                            && m.getAnnotation(Operation.class).hidden()))
                    .toList();
            assertEquals(1, shown.size(), route + " is documented by exactly one method: " + methods);
            Operation operation = shown.get(0).getAnnotation(Operation.class);
            assertTrue(operation != null && !operation.summary().isBlank(), route + " has no @Operation summary");
            assertTrue(
                    Arrays.stream(operation.extensions()).anyMatch(e -> e.name().equals(ApiDocs.PROBLEM_CODES)),
                    route + " does not list its problem codes (" + ApiDocs.PROBLEM_CODES + ")");
        });
    }

    @Test
    void everyOperationAnswersItsClientErrorsAsProblems() {
        operations().forEach((op, operation) -> {
            if (op.contains(" /q/")) {
                return; // Quarkus' own endpoints: their errors are not problem documents
            }
            JsonNode responses = operation.path("responses");
            List<String> clientErrors = new ArrayList<>();
            responses.fieldNames().forEachRemaining(status -> {
                if (status.startsWith("4")) {
                    clientErrors.add(status);
                }
            });
            assertFalse(clientErrors.isEmpty(), op + " documents no 4xx response");
            assertTrue(responses.has("500"), op + " documents no 500 (internal_error)");
            responses.fields().forEachRemaining(e -> {
                if (e.getKey().startsWith("4") || e.getKey().startsWith("5")) {
                    if (op.startsWith("HEAD ")) {
                        assertTrue(
                                e.getValue().path("content").isMissingNode(),
                                op + " " + e.getKey() + ": HEAD answers have no body");
                    } else {
                        assertEquals(
                                PROBLEM_REF,
                                e.getValue()
                                        .at("/content/application~1problem+json/schema/$ref")
                                        .asText(),
                                op + " " + e.getKey() + " is not a Problem");
                        e.getValue()
                                .at("/content/application~1problem+json/examples")
                                .fields()
                                .forEachRemaining(ex -> assertEquals(
                                        Integer.parseInt(e.getKey()),
                                        ErrorCode.valueOf(ex.getKey().toUpperCase())
                                                .status(),
                                        op + ": code " + ex.getKey() + " listed under the wrong status"));
                    }
                }
            });
            assertFalse(operation.toString().contains(ApiDocs.PROBLEM_CODES), op + " leaks " + ApiDocs.PROBLEM_CODES);
        });
    }

    @Test
    void theProblemSchemaIsTheProblemRecordAndItsCodesAreTheCatalog() {
        JsonNode problem = doc.at("/components/schemas/Problem");
        List<String> codes = new ArrayList<>();
        problem.at("/properties/code/enum").forEach(c -> codes.add(c.asText()));
        assertEquals(Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList(), codes);
        Set<String> properties = new TreeSet<>();
        problem.path("properties").fieldNames().forEachRemaining(properties::add);
        assertEquals(
                new TreeSet<>(Arrays.stream(Problem.class.getRecordComponents())
                        .map(RecordComponent::getName)
                        .toList()),
                properties);
        assertEquals(Problem.MEDIA_TYPE, "application/problem+json");
    }

    /**
     * Answers carry no nulls, so what an answer always has is listed as required: a generated client types it as
     * present. Every object schema is an answer's ({@link AnswerSchemas}) or a request body's.
     */
    @Test
    void answerSchemasListWhatIsAlwaysThereAsRequired() {
        Set<String> requestBodies = new TreeSet<>();
        operations()
                .values()
                .forEach(op -> op.at("/requestBody/content").forEach(media -> {
                    String ref = media.at("/schema/$ref").asText();
                    if (!ref.isEmpty()) {
                        requestBodies.add(ref.substring(ref.lastIndexOf('/') + 1));
                    }
                }));
        // and the schemas inside them (a completion's parts)
        for (Deque<String> todo = new ArrayDeque<>(requestBodies); !todo.isEmpty(); ) {
            doc.at("/components/schemas/" + todo.pop() + "/properties").forEach(property -> {
                for (JsonNode ref : List.of(property.at("/$ref"), property.at("/items/$ref"))) {
                    String name = ref.asText().substring(ref.asText().lastIndexOf('/') + 1);
                    if (!name.isEmpty() && requestBodies.add(name)) {
                        todo.push(name);
                    }
                }
            });
        }
        doc.at("/components/schemas").fields().forEachRemaining(e -> {
            if (e.getValue().has("properties") && !e.getKey().equals("Problem")) {
                assertTrue(
                        AnswerSchemas.RECORDS.containsKey(e.getKey()) || requestBodies.contains(e.getKey()),
                        e.getKey() + " is neither a request body nor listed in AnswerSchemas.RECORDS");
            }
        });
        assertEquals(List.of("items"), required("UploadPage"), "next_after is absent on the last page");
        assertEquals(List.of("areas", "total", "source"), required("UsageView"), "scanned_at is absent before a scan");
        assertTrue(required("UploadMetadata").containsAll(List.of("upload_id", "key", "size_bytes", "created_at")));
        assertFalse(required("UploadMetadata").contains("etag"), "etag is absent on the local backend");
        assertEquals(List.of("items", "examined"), required("MetadataPageGenerationMetadata"));
    }

    private static List<String> required(String schema) {
        List<String> names = new ArrayList<>();
        doc.at("/components/schemas/" + schema + "/required").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void apiOperationsNeedTheBearerTokenAndSignedUrlsDoNot() throws IOException {
        JsonNode scheme = doc.at("/components/securitySchemes/bearer");
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText());
        assertEquals("JWT", scheme.path("bearerFormat").asText());
        Map<String, JsonNode> operations = operations();
        jaxRsRoutes().forEach((op, method) -> {
            assertTrue(operations.containsKey(op), op + " is not documented");
            JsonNode security = operations.get(op).path("security");
            assertEquals(1, security.size(), op + " security " + security);
            JsonNode roles = security.get(0).path("bearer");
            assertTrue(roles.isArray(), op + " does not require the bearer scheme: " + security);
            boolean pipeline = pipelineOnly(method);
            assertEquals(pipeline ? "[\"pipeline\"]" : "[]", roles.toString(), op + " roles");
            // a HEAD answer has no body: its 401 is documented without content
            assertTrue(
                    operations
                            .get(op)
                            .at(op.startsWith("HEAD ") ? "/responses/401" : "/responses/401/content")
                            .isObject(),
                    op + " 401");
            if (op.equals("POST /api/v1/tus")) {
                // any caller may create a resumable upload; one for a pipeline target needs the group (403)
                assertTrue(operations.get(op).at("/responses/403").isObject(), op + " 403 for pipeline targets");
                return;
            }
            if (op.equals("PATCH /api/v1/tus/{}")) {
                // any caller may PATCH their upload; a final upload (concatenation) takes no PATCH (403)
                assertTrue(operations.get(op).at("/responses/403").isObject(), op + " 403 for a final upload");
                return;
            }
            assertEquals(
                    pipeline,
                    operations.get(op).at("/responses/403").isObject(),
                    op + " 403 iff the pipeline group is needed");
        });
        for (String method : List.of("GET", "HEAD", "PUT")) {
            assertTrue(operations.containsKey(method + " /storage/{}"), method + " /storage/{key} is not documented");
            JsonNode security = operations.get(method + " /storage/{}").path("security");
            assertTrue(
                    security.isMissingNode() || security.isEmpty(),
                    method + " /storage/{key} needs no token: " + security);
        }
        assertTrue(operations.get("GET /q/health/ready").path("security").isMissingNode());
        // health and metrics answer on the management interface only: their paths say so
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics")) {
            JsonNode servers = doc.path("paths").path(path).path("servers");
            assertEquals(1, servers.size(), path + " servers: " + servers);
            // the document is made at its first request, once the management interface listens: its port (in tests
            // a free one) is the one the document names
            assertEquals(
                    "http://localhost:" + Management.port(),
                    servers.get(0).path("url").asText(),
                    path + ": the management interface's port");
        }
        assertTrue(
                doc.path("paths").path("/q/openapi").path("servers").isMissingNode(), "/q/openapi is on the API port");
    }

    @Test
    void theDocumentIsServedInTheFormatAskedTheSameBytesEachTime() {
        String json = "application/json;charset=UTF-8";
        String yaml = "application/yaml;charset=UTF-8";
        byte[] first = given().get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .contentType(json)
                .extract()
                .asByteArray();
        for (int i = 0; i < 3; i++) {
            byte[] again = given().get("/q/openapi?format=JSON")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            assertTrue(Arrays.equals(first, again), "the same document every time");
        }
        given().get("/q/openapi.json").then().statusCode(200).contentType(json);
        given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .contentType(json);
        String document = given().get("/q/openapi")
                .then()
                .statusCode(200)
                .contentType(yaml)
                .extract()
                .asString();
        assertTrue(document.startsWith("---") || document.startsWith("openapi:"), document.substring(0, 40));
        given().get("/q/openapi.yaml").then().statusCode(200).contentType(yaml);
        given().get("/q/openapi.yml").then().statusCode(200).contentType(yaml);
        given().head("/q/openapi").then().statusCode(200).contentType(yaml);
        for (String method : List.of("DELETE", "POST", "PUT", "PATCH")) {
            Problems.problem(given().request(method, "/q/openapi").then(), 405, "method_not_allowed")
                    .header("Allow", "GET, HEAD, OPTIONS");
        }
    }

    @Test
    void theSignedUrlRouteDescribesItsSignatureRangesAndAnswers() {
        JsonNode item = doc.at("/paths/~1storage~1{key}");
        Map<String, JsonNode> parameters = new TreeMap<>();
        item.path("parameters")
                .forEach(p -> parameters.put(
                        p.path("in").asText() + ":" + p.path("name").asText(), p));
        assertTrue(parameters.get("path:key").path("required").asBoolean());
        assertTrue(parameters.get("query:X-Expires").path("required").asBoolean());
        assertTrue(parameters.get("query:X-Signature").path("required").asBoolean());
        assertTrue(
                parameters.get("query:X-Signature").path("description").asText().contains("HMAC-SHA256"));
        assertTrue(parameters.get("query:X-Algorithm").path("required").asBoolean());
        assertTrue(parameters.get("query:X-Key-Id").path("required").asBoolean());
        assertTrue(
                parameters.get("query:X-Signature").path("description").asText().contains("pct(name)=pct(value)"));
        assertTrue(item.at("/get/parameters").toString().contains("\"Range\""));
        assertEquals(
                Set.of("200", "206", "304", "400", "403", "404", "416", "500", "503"),
                fields(item.at("/get/responses")));
        assertTrue(item.at("/get/responses/416/headers/Content-Range").isObject());
        assertTrue(item.at("/head/responses/200").isObject()
                && item.at("/head/responses/403").isObject());
        assertTrue(item.at("/put/parameters").toString().contains("header-content-type"));
        assertTrue(item.at("/put/responses/503/content/application~1problem+json/examples/shutting_down")
                .isObject());
        Pattern key =
                Pattern.compile(parameters.get("path:key").at("/schema/pattern").asText());
        for (String k : List.of(
                "uploads/u1/upload_20261129_abcdefabcdef/original.png",
                "temp/job-1/processing/render_pass_1.mp4",
                "../etc/passwd",
                "uploads/.hidden/x",
                "other/a.txt",
                "uploads",
                "uploads//a")) {
            assertEquals(
                    ObjectKey.isValid(k), key.matcher(k).matches(), "documented key grammar vs the model for " + k);
        }
    }

    @Test
    void uploadsDocumentTheirBodiesAndCreationsTheir201() {
        JsonNode upload = doc.at("/paths/~1api~1v1~1uploads/post");
        for (String type : List.of("image/png", "image/jpeg", "image/gif", "audio/mpeg", "audio/wav")) {
            assertEquals(
                    "binary",
                    upload.at("/requestBody/content/" + type.replace("/", "~1") + "/schema/format")
                            .asText(),
                    type);
        }
        assertEquals(
                "binary",
                upload.at("/requestBody/content/multipart~1form-data/schema/properties/file/format")
                        .asText());
        assertEquals(
                "#/components/schemas/UploadMetadata",
                upload.at("/responses/201/content/application~1json/schema/$ref")
                        .asText());
        assertEquals(
                "binary",
                doc.at("/paths/~1api~1v1~1generations~1{generationId}~1clips~1{n}/put/requestBody/content/video~1mp4"
                                + "/schema/format")
                        .asText());
        assertTrue(doc.at("/paths/~1api~1v1~1generations/post/responses/201").isObject());
        assertTrue(doc.at("/paths/~1api~1v1~1generations/post/responses/200").isObject(), "reused");
        JsonNode request = doc.at("/components/schemas/PresignRequest/properties");
        assertTrue(request.has("content_type") && request.has("size_bytes"), "snake_case like the JSON: " + request);
        assertTrue(doc.at("/components/schemas/UploadMetadata/properties").has("upload_id"));
        // every body-streaming method documents a raw (binary) body
        jaxRsRoutesWith(StreamedBody.class).forEach(op -> {
            JsonNode content = operations().get(op).at("/requestBody/content");
            List<String> binary = new ArrayList<>();
            content.fields().forEachRemaining(e -> {
                if ("binary".equals(e.getValue().at("/schema/format").asText())) {
                    binary.add(e.getKey());
                }
            });
            assertFalse(binary.isEmpty(), op + " documents no raw body: " + content);
        });
    }

    @Test
    void pathParameterPatternsAreTheModelsGrammar() {
        Clock clock = Clock.systemUTC();
        accepts(
                ApiDocs.UPLOAD_ID,
                UploadId::parse,
                UploadId.generate(clock).value(),
                "upload_20261129_ABCdefabcdef",
                "upload_20261129_abc",
                "gen_20261129_abcdefabcdef");
        accepts(
                ApiDocs.GENERATION_ID,
                GenerationId::parse,
                GenerationId.generate(clock).value(),
                "gen_2026112_abcdefabcdef",
                "comp_20261129_abcdefabcdef");
        accepts(
                ApiDocs.COMPOSITION_ID,
                CompositionId::parse,
                CompositionId.generate(clock).value(),
                "comp_20261129_abcdef-bcdef");
        accepts(ApiDocs.NAME_ID, JobId::parse, "job-1_A", "x".repeat(64), "x".repeat(65), "a.b", "");
        accepts(ApiDocs.NAME_ID, UserId::parse, "alice", "al ice", "al/ice");
        accepts(ApiDocs.CLIP_NUMBER, ClipNumber::parse, "1", "001", "999", "0", "000", "1000", "-1", "+1");
        accepts(
                ApiDocs.TEMP_NAME,
                TempName::parse,
                "intermediate_a.mp4",
                "render_pass_2.mp4",
                "x_1.tmp",
                "a.mp4",
                "../x.tmp",
                "x.tmp.mp4",
                "render_pass_.mp4");
        // each documented path parameter carries one of them
        operations()
                .forEach((op, operation) -> operation.path("parameters").forEach(p -> {
                    if (op.contains(" /api/") && "path".equals(p.path("in").asText())) {
                        assertFalse(
                                p.at("/schema/pattern").asText().isEmpty(),
                                op + " path parameter " + p.path("name") + " has no pattern");
                    }
                }));
    }

    @Test
    void theDocumentSaysWhatItIs() {
        assertEquals("reelvault API", doc.at("/info/title").asText());
        assertEquals(
                ConfigProvider.getConfig().getValue("quarkus.application.version", String.class),
                doc.at("/info/version").asText());
        assertTrue(doc.at("/info/description").asText().contains("problem+json"));
        // the public base URL; none (OpenAPI's "/", the document's own origin) when its port is 0, the listening port,
        // as in tests on a random port (-Dquarkus.http.test-port=N makes it a fixed URL again)
        String servers = doc.path("servers").toString();
        assertTrue(
                doc.path("servers").isMissingNode()
                        || doc.at("/servers/0/url")
                                .asText()
                                .equals(ConfigProvider.getConfig().getValue("reelvault.public-base-url", String.class)),
                servers);
        assertFalse(servers.contains(":0\""), "never port 0: " + servers);
        Set<String> tags = new TreeSet<>();
        doc.path("tags").forEach(t -> tags.add(t.path("name").asText()));
        assertTrue(
                tags.containsAll(
                        Set.of("uploads", "generations", "compositions", "temp files", "admin", "signed URLs")),
                tags.toString());
        operations()
                .forEach((op, operation) ->
                        assertFalse(operation.path("summary").asText().isBlank(), op + " has no summary"));
        given().get("/q/swagger-ui/").then().statusCode(200); // dev and test only (Quarkus' default)
    }

    /** Each documented operation as {@code METHOD /path/{}}. */
    static Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new TreeMap<>();
        doc.path("paths")
                .fields()
                .forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                    if (METHODS.contains(op.getKey())) {
                        operations.put(normalize(op.getKey().toUpperCase() + " " + path.getKey()), op.getValue());
                    }
                }));
        return operations;
    }

    static String normalize(String operation) {
        return operation.replaceAll("\\{[^}]*\\}", "{}");
    }

    /** Every JAX-RS resource method of the application (dev-only resources excluded), by {@code METHOD /path/{}}. */
    static Map<String, Method> jaxRsRoutes() throws IOException {
        Map<String, Method> routes = new TreeMap<>();
        jaxRsRoutesAll().forEach(r -> routes.put(r.route(), r.method()));
        return routes;
    }

    record Route(String route, Method method) {}

    /** Every JAX-RS resource method (several may share a route, e.g. raw and multipart uploads). */
    static List<Route> jaxRsRoutesAll() throws IOException {
        List<Route> routes = new ArrayList<>();
        java.nio.file.Path classes = java.nio.file.Path.of("target/classes");
        List<java.nio.file.Path> files;
        try (Stream<java.nio.file.Path> walk = Files.walk(classes.resolve("io/reelvault"))) {
            files = walk.filter(f -> f.toString().endsWith(".class")
                            && !f.getFileName().toString().contains("$"))
                    .toList();
        }
        for (java.nio.file.Path file : files) {
            String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> type;
            try {
                type = Class.forName(name, false, OpenApiTest.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            Path root = type.getAnnotation(Path.class);
            IfBuildProfile profile = type.getAnnotation(IfBuildProfile.class);
            if (root == null || profile != null && profile.value().equals("dev")) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                String http = httpMethod(m);
                if (http != null) {
                    Path sub = m.getAnnotation(Path.class);
                    String path = ("/" + root.value() + "/" + (sub == null ? "" : sub.value())).replaceAll("/+", "/");
                    path = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
                    routes.add(new Route(normalize(http + " " + path), m));
                }
            }
        }
        return routes;
    }

    static List<String> jaxRsRoutesWith(Class<? extends Annotation> marker) {
        try {
            return jaxRsRoutes().entrySet().stream()
                    .filter(e -> e.getValue().isAnnotationPresent(marker))
                    .map(Map.Entry::getKey)
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    static boolean pipelineOnly(Method m) {
        RolesAllowed roles = m.isAnnotationPresent(RolesAllowed.class)
                ? m.getAnnotation(RolesAllowed.class)
                : m.getDeclaringClass().getAnnotation(RolesAllowed.class);
        return roles != null && List.of(roles.value()).contains(Caller.PIPELINE);
    }

    /** The documented pattern accepts exactly what the model's parser accepts, for each sample. */
    static void accepts(String pattern, Function<String, ?> parse, String... samples) {
        Pattern p = Pattern.compile(pattern);
        for (String s : samples) {
            boolean model;
            try {
                parse.apply(s);
                model = true;
            } catch (ReelvaultException e) {
                model = false;
            }
            assertEquals(model, p.matcher(s).matches(), "pattern " + pattern + " vs the model for '" + s + "'");
        }
    }

    static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
