package io.reelvault.api.openapi;

import io.reelvault.api.problem.Problem;
import io.reelvault.error.ErrorCode;
import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.servers.Server;

/**
 * Completes the document generated from the resources' annotations ({@code mp.openapi.filter}, run at start-up):
 * <ul>
 * <li>the one {@code Problem} schema of every error, its {@code code} an enum of {@link ErrorCode} (generated from
 * the catalog, never by hand);</li>
 * <li>the error responses of each operation: the codes it lists in {@value ApiDocs#PROBLEM_CODES}, plus
 * {@code unauthenticated}/{@code invalid_subject} (401) for operations that need a token, {@code forbidden} (403)
 * for those that need the group {@code pipeline}, and {@code internal_error} (500) for all; one response per status,
 * each {@code application/problem+json} of the Problem schema with an example per code;</li>
 * <li>the signed-URL route {@code GET|HEAD|PUT /storage/{key}}, a Vert.x route the scanner cannot see, and the
 * operators' endpoints: {@code /q/openapi} on the API port, and {@code /q/health/*} and {@code /q/metrics}, which
 * answer on the management interface only, so their path items name it as their server ({@code /q/openapi} comes
 * from Quarkus; their errors are not problem documents, so the operators' {@code /q/} endpoints get no Problem
 * responses);</li>
 * <li>the document's description, and its server (the public base URL).</li>
 * </ul>
 * An unknown code in an annotation fails the document, so a typo cannot go unnoticed.
 */
public class ApiDocumentFilter implements OASFilter {
    static final String PROBLEM_SCHEMA = "Problem";
    static final String PROBLEM_REF = "#/components/schemas/" + PROBLEM_SCHEMA;
    static final String EXAMPLES_REF = "#/components/examples/";
    static final String PIPELINE = "pipeline";
    static final String STORAGE_PATH = "/storage/{key}";
    static final String SIGNED_URLS_TAG = "signed URLs";
    static final String OPERATORS_PREFIX = "/q/";
    static final String OPERATORS_TAG = "operators";

    static final String DESCRIPTION = """
            The storage service of an AI video generation pipeline: user uploads, generated clips, final renders and \
            temporary files on the local filesystem or Amazon S3, with expiring signed URLs.

            **Authentication.** Every `/api/v1` call needs a bearer JWT (`Authorization: Bearer ...`): its `sub` is the \
            user id (1-64 characters of `[A-Za-z0-9_-]`); the group `pipeline` (claim `groups`) marks pipeline workers, \
            who alone may call the generation, composition, temp and admin operations (their security requirement \
            names the role `pipeline`). A user sees only their own uploads. Signed URLs (`/storage/{key}` on the local \
            backend, S3 presigned URLs otherwise) carry their own authority and need no token.

            **Errors.** Every error is `application/problem+json` (RFC 9457) with a stable `code`; clients switch on \
            `code`, never on `title` or `detail`. 5xx answers carry an incident id in `instance` that the service's \
            log shows with the cause. A method a path does not have answers 405 `method_not_allowed`.

            **Bodies** stream: uploads and artifacts are raw bodies (or multipart for user uploads) checked three ways \
            (declared Content-Type, file extension or endpoint, magic bytes) and against their size limit from \
            `Content-Length` before a byte is read. `Expect: 100-continue` is honoured: a refused body is never sent. \
            While the service shuts down, a new body is refused with 503 `shutting_down`.

            **Rate limits.** Uploads and artifact PUTs share the caller's upload bucket; calls that hand out signed \
            URLs share its URL bucket; listings share its list bucket. Past the limit: 429 `rate_limited` with `Retry-After`, before any of the body \
            is read.""";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        components.addSchema(PROBLEM_SCHEMA, problemSchema());
        for (ErrorCode code : ErrorCode.values()) {
            components.addExample(code.code(), example(code));
        }
        openAPI.getInfo().description(DESCRIPTION);
        // port 0 stands for the port the service listens on, unknown when the document is made: no server then,
        // which OpenAPI reads as "/", the origin the document was fetched from
        ConfigProvider.getConfig()
                .getOptionalValue("reelvault.public-base-url", String.class)
                .filter(url -> URI.create(url).getPort() != 0)
                .ifPresent(url -> openAPI.servers(List.of(OASFactory.createServer()
                        .url(url)
                        .description("the public base URL of this service (REELVAULT_PUBLIC_BASE_URL)"))));
        openAPI.getPaths().addPathItem(STORAGE_PATH, storageRoute());
        openAPI.addTag(OASFactory.createTag()
                .name(SIGNED_URLS_TAG)
                .description(
                        "Objects of the local backend served and received through the service's own signed URLs (HMAC-SHA256)."
                                + " On S3 the URLs point at the bucket and this route answers 404."));
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
        openAPI.addTag(
                OASFactory.createTag().name(OPERATORS_TAG).description("For operators and their tools: no token."));
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith(OPERATORS_PREFIX)) {
                item.getOperations().forEach((method, operation) -> {
                    pathParameters(operation);
                    problems(operation, method == PathItem.HttpMethod.HEAD);
                });
            }
        });
    }

    /**
     * The resources' path parameters by their Java name: what they are and their grammar (as {@code model/} parses
     * them). OpenApiTest fails on a path parameter without a pattern, so a new one must be added here.
     */
    static final Map<String, String[]> PATH_PARAMETERS = Map.of(
            "uploadId", new String[] {"An upload id, `upload_{yyyyMMdd}_{random}`.", ApiDocs.UPLOAD_ID},
            "generationId", new String[] {"A generation id, `gen_{yyyyMMdd}_{random}`.", ApiDocs.GENERATION_ID},
            "compositionId", new String[] {"A composition id, `comp_{yyyyMMdd}_{random}`.", ApiDocs.COMPOSITION_ID},
            "jobId", new String[] {"A processing job's id, chosen by the pipeline.", ApiDocs.NAME_ID},
            "n", new String[] {"A clip number, 1 to 999 (`clip_NNN`).", ApiDocs.CLIP_NUMBER},
            "name",
                    new String[] {
                        "A temp file name: `intermediate_{label}.mp4`, `render_pass_{label}.mp4` or"
                                + " `{label}.tmp`, a label being 1-100 characters of `[A-Za-z0-9_-]`.",
                        ApiDocs.TEMP_NAME
                    });

    private static void pathParameters(Operation operation) {
        if (operation.getParameters() == null) {
            return;
        }
        for (Parameter p : operation.getParameters()) {
            String[] doc = PATH_PARAMETERS.get(p.getName());
            if (p.getIn() == Parameter.In.PATH && doc != null) {
                p.description(doc[0]).schema(string(null).pattern(doc[1]));
            }
        }
    }

    /** Replaces the operation's error responses by Problem responses of its codes (a HEAD answer has no body). */
    private void problems(Operation operation, boolean head) {
        Set<ErrorCode> codes = EnumSet.noneOf(ErrorCode.class);
        Object listed = operation.getExtensions() == null
                ? null
                : operation.getExtensions().get(ApiDocs.PROBLEM_CODES);
        if (listed != null) {
            for (String code : listed.toString().split(",")) {
                if (!code.isBlank()) {
                    codes.add(code(code.trim(), operation));
                }
            }
            operation.removeExtension(ApiDocs.PROBLEM_CODES);
        }
        List<SecurityRequirement> security = operation.getSecurity() == null ? List.of() : operation.getSecurity();
        if (!security.isEmpty()) {
            codes.add(ErrorCode.UNAUTHENTICATED);
            codes.add(ErrorCode.INVALID_SUBJECT);
            if (security.stream()
                    .anyMatch(r -> r.getSchemes().values().stream().anyMatch(roles -> roles.contains(PIPELINE)))) {
                codes.add(ErrorCode.FORBIDDEN);
            }
        }
        codes.add(ErrorCode.INTERNAL_ERROR);
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        for (String status : new ArrayList<>(responses.getAPIResponses().keySet())) {
            if (status.startsWith("4") || status.startsWith("5")) {
                responses.removeAPIResponse(status); // the scanner's bare 401/403/400: replaced below
            }
        }
        Map<Integer, List<ErrorCode>> byStatus =
                new TreeMap<>(codes.stream().collect(Collectors.groupingBy(ErrorCode::status, Collectors.toList())));
        for (Map.Entry<Integer, List<ErrorCode>> e : byStatus.entrySet()) {
            responses.addAPIResponse(Integer.toString(e.getKey()), problemResponse(e.getValue(), head));
        }
    }

    private static ErrorCode code(String code, Operation operation) {
        try {
            ErrorCode parsed = ErrorCode.valueOf(code.toUpperCase(Locale.ROOT));
            if (parsed.code().equals(code)) {
                return parsed;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new IllegalStateException("operation " + operation.getOperationId() + " " + operation.getSummary()
                + " lists the unknown problem code '" + code + "' in " + ApiDocs.PROBLEM_CODES);
    }

    private static APIResponse problemResponse(List<ErrorCode> codes, boolean head) {
        APIResponse response = OASFactory.createAPIResponse()
                .description(codes.stream()
                        .map(c -> "`" + c.code() + "`: " + c.title())
                        .collect(Collectors.joining("; ")));
        if (head) {
            response.description(response.getDescription() + " (a HEAD answer has the status and headers only)");
        } else {
            MediaType problem = OASFactory.createMediaType()
                    .schema(OASFactory.createSchema().ref(PROBLEM_REF));
            for (ErrorCode code : codes) { // one example per code, kept once in components/examples
                problem.addExample(code.code(), OASFactory.createExample().ref(EXAMPLES_REF + code.code()));
            }
            response.content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, problem));
        }
        int status = codes.get(0).status();
        if (status == 401) {
            response.addHeader("WWW-Authenticate", header("`Bearer`", SchemaType.STRING));
        }
        if (status == 429 || status == 503) {
            response.addHeader("Retry-After", header("seconds to wait before retrying", SchemaType.INTEGER));
        }
        if (codes.contains(ErrorCode.RANGE_NOT_SATISFIABLE)) {
            response.addHeader("Content-Range", header("`bytes */{size}`: the object's size", SchemaType.STRING));
        }
        return response;
    }

    private static Example example(ErrorCode code) {
        Map<String, Object> value = new LinkedHashMap<>();
        Problem p = Problem.of(
                code,
                "a sentence for people saying what was wrong",
                code.status() >= 500 ? "urn:uuid:3f1c2a9e-7b4d-4e0a-9c55-0d2b8f6a1e77" : null);
        value.put("type", p.type());
        value.put("title", p.title());
        value.put("status", p.status());
        value.put("detail", p.detail());
        value.put("code", p.code());
        if (p.instance() != null) {
            value.put("instance", p.instance());
        }
        return OASFactory.createExample().summary(code.title()).value(value);
    }

    private static Header header(String description, SchemaType type) {
        return OASFactory.createHeader()
                .description(description)
                .schema(OASFactory.createSchema().addType(type));
    }

    /** The shape of {@link Problem}: its {@code code} lists every {@link ErrorCode}, in catalog order. */
    static Schema problemSchema() {
        return OASFactory.createSchema()
                .addType(SchemaType.OBJECT)
                .description("An RFC 9457 problem document, the body of every error (`application/problem+json`).")
                .required(List.of("type", "title", "status", "detail", "code"))
                .addProperty(
                        "type",
                        string("a URI naming the problem type, one per code").format("uri"))
                .addProperty("title", string("a short summary for people; may change"))
                .addProperty(
                        "status",
                        OASFactory.createSchema()
                                .addType(SchemaType.INTEGER)
                                .format("int32")
                                .description("the HTTP status, fixed per code"))
                .addProperty(
                        "detail", string("what was wrong with this request, for people; never secrets or internals"))
                .addProperty(
                        "code",
                        string("the stable machine-readable code; clients switch on it")
                                .enumeration(Arrays.stream(ErrorCode.values())
                                        .map(c -> (Object) c.code())
                                        .toList()))
                .addProperty(
                        "instance",
                        string("5xx only: an incident id, the key to the log line with the cause")
                                .format("uri"));
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }

    /** {@code GET|HEAD|PUT /storage/{key}}: see {@code api/StorageRoutes} and {@code storage/local/LocalUrlSigner}. */
    static PathItem storageRoute() {
        String areas = Arrays.stream(Area.values()).map(Area::segment).collect(Collectors.joining("|"));
        Parameter key = OASFactory.createParameter()
                .name("key")
                .in(Parameter.In.PATH)
                .required(true)
                .description("The object key, its slashes as they are (never percent-encoded), e.g."
                        + " `compositions/comp_20261129_k3j9x2m4q8w1z7v5/final.mp4`; the signed URL gives it.")
                .schema(string(null)
                        .pattern("^(" + areas + ")(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,254})+$")
                        .maxLength(ObjectKey.MAX_BYTES));
        Parameter expires = query(
                "X-Expires",
                true,
                "When the URL expires, in epoch seconds (UTC); 403" + " `signature_expired` after it.",
                OASFactory.createSchema().addType(SchemaType.INTEGER).format("int64"));
        Parameter algorithm = query(
                "X-Algorithm",
                true,
                "The version of the signed form: exactly" + " `REELVAULT2-HMAC-SHA256`.",
                string(null));
        Parameter keyId = query(
                "X-Key-Id",
                true,
                "The id of the key that signed the URL (`REELVAULT_SIGNING_KEY_ID`, or"
                        + " one of `REELVAULT_SIGNING_KEYS_PREVIOUS`); signed too. 403 `signature_invalid` for a key this service"
                        + " does not hold.",
                string(null));
        Parameter signature = query(
                "X-Signature",
                true,
                "Base64url (no padding) HMAC-SHA256, keyed with the key"
                        + " `X-Key-Id` names, of `REELVAULT2-HMAC-SHA256\\n{METHOD}\\n{key}\\n{canonical query}`: every other"
                        + " parameter as `pct(name)=pct(value)`, sorted by `pct(name)`, joined with `&`, where `pct` percent-encodes"
                        + " every UTF-8 byte but `A-Z a-z 0-9 - . _ ~` (HEAD is signed as GET). Compared in constant time. Only"
                        + " the parameters documented here are accepted, each once: any other, a missing one or a repeated one is"
                        + " 403 `signature_invalid`, as is a signature that does not match.",
                string(null));
        Parameter disposition = query(
                "response-content-disposition",
                false,
                "GET/HEAD: a response header bound by the"
                        + " signature, sent as is (final downloads: `attachment; filename=\"video_{id}.mp4\"`).",
                string(null));
        Parameter responseType = query(
                "response-content-type",
                false,
                "GET/HEAD: the Content-Type of the answer, bound by" + " the signature (instead of the stored one).",
                string(null));
        Parameter putType = query(
                "header-content-type",
                true,
                "PUT: the Content-Type the request must carry, bound by" + " the signature.",
                string(null));
        Parameter putLength = query(
                "header-content-length",
                true,
                "PUT: the Content-Length the request must carry"
                        + " (the size promised at presign), bound by the signature; a chunked body is refused.",
                OASFactory.createSchema().addType(SchemaType.INTEGER).format("int64"));

        Operation get = storageOperation(
                        "Download an object through a signed URL",
                        "Streams the object, or one byte range of it, to anyone holding a valid, unexpired signed GET URL (a GET"
                                + " URL also allows HEAD). Local backend only; on S3 the URLs point at the bucket. A whole-object GET is"
                                + " checked against the sha256 recorded when the object was written: when the bytes on disk no longer"
                                + " match, the answer is cut (connection closed) before its last byte, never a complete body (500"
                                + " `internal_error` when nothing was sent yet). A ranged GET cannot be checked.",
                        "invalid_key,signature_invalid,signature_expired,not_found,expired,range_not_satisfiable,"
                                + "storage_unavailable")
                .addParameter(disposition)
                .addParameter(responseType)
                .addParameter(header(
                        "Range",
                        "One range, `bytes=start-end`, `bytes=start-` or `bytes=-suffix`: 206 with"
                                + " that range, 416 when none of it lies inside the object. Several ranges, or a malformed header,"
                                + " are ignored (200, the whole object), as RFC 9110 allows."))
                .addParameter(
                        header("If-None-Match", "An ETag from an earlier answer (or `*`): 304 when it still matches."));
        get.getResponses()
                .addAPIResponse("200", objectResponse("The whole object.", false))
                .addAPIResponse("206", objectResponse("The requested range.", true))
                .addAPIResponse(
                        "304", OASFactory.createAPIResponse().description("Not modified: the ETag still matches."));

        Operation head = storageOperation(
                        "Read an object's headers through a signed URL",
                        "As GET, without the body (signed as GET).",
                        "invalid_key,signature_invalid,signature_expired,not_found,expired,storage_unavailable")
                .addParameter(disposition)
                .addParameter(responseType);
        head.getResponses()
                .addAPIResponse(
                        "200",
                        objectHeaders(OASFactory.createAPIResponse()
                                .description("The object's headers, with Content-Length; no body.")));

        Operation put = storageOperation(
                        "Upload an object through a signed URL (direct upload)",
                        "Streams the body into the object atomically (readers see nothing or the whole object). The request must"
                                + " carry exactly the Content-Type and Content-Length the URL was signed for (403 `signature_invalid`"
                                + " otherwise, and for a chunked body), like an S3 presigned PUT. It stores once, only while its upload"
                                + " waits for it: 409 `conflict` when the object is there already, 404 `not_found` once the upload is"
                                + " completed, deleted, refused or swept. Then `POST /api/v1/uploads/{upload_id}/complete` checks and"
                                + " records it.",
                        "invalid_key,invalid_request,signature_invalid,signature_expired,not_found,conflict,length_mismatch,"
                                + "storage_unavailable,insufficient_storage,shutting_down,request_timeout")
                .addParameter(putType)
                .addParameter(putLength);
        put.requestBody(OASFactory.createRequestBody()
                .required(true)
                .description("The object's bytes.")
                .content(OASFactory.createContent()
                        .addMediaType(
                                "*/*",
                                OASFactory.createMediaType().schema(string(null).format("binary")))));
        put.getResponses()
                .addAPIResponse(
                        "200",
                        OASFactory.createAPIResponse()
                                .description("Stored; no body.")
                                .addHeader("ETag", header("the new object's entity tag", SchemaType.STRING)));

        return OASFactory.createPathItem()
                .description("Signed URLs of the local backend. No token: the signature is the authority.")
                .parameters(List.of(key, algorithm, expires, keyId, signature))
                .GET(get)
                .HEAD(head)
                .PUT(put);
    }

    /** The management interface's port, as configured ({@code quarkus.management.port}, 9000 by default). */
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
                        .tags(List.of(OPERATORS_TAG))
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

    private static Operation storageOperation(String summary, String description, String codes) {
        Operation operation = OASFactory.createOperation()
                .summary(summary)
                .description(description)
                .tags(List.of(SIGNED_URLS_TAG))
                .security(new ArrayList<>())
                .responses(OASFactory.createAPIResponses());
        operation.addExtension(ApiDocs.PROBLEM_CODES, codes);
        return operation;
    }

    private static APIResponse objectResponse(String description, boolean range) {
        APIResponse response = objectHeaders(OASFactory.createAPIResponse()
                .description(description)
                .content(OASFactory.createContent()
                        .addMediaType(
                                "*/*",
                                OASFactory.createMediaType()
                                        .schema(string("the object's bytes, with its own Content-Type")
                                                .format("binary")))));
        if (range) {
            response.addHeader("Content-Range", header("`bytes start-end/size`", SchemaType.STRING));
        }
        return response;
    }

    private static APIResponse objectHeaders(APIResponse response) {
        return response.addHeader("ETag", header("changes whenever the object is rewritten", SchemaType.STRING))
                .addHeader("Last-Modified", header("HTTP date", SchemaType.STRING))
                .addHeader("Accept-Ranges", header("`bytes`", SchemaType.STRING))
                .addHeader("Content-Length", header("the bytes that follow", SchemaType.INTEGER));
    }

    private static Parameter query(String name, boolean required, String description, Schema schema) {
        return OASFactory.createParameter()
                .name(name)
                .in(Parameter.In.QUERY)
                .required(required)
                .description(description)
                .schema(schema);
    }

    private static Parameter header(String name, String description) {
        return OASFactory.createParameter()
                .name(name)
                .in(Parameter.In.HEADER)
                .description(description)
                .schema(string(null));
    }
}
