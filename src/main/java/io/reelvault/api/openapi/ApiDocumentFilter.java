package io.reelvault.api.openapi;

import static io.reelvault.api.openapi.OpenApiParts.string;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.reelvault.error.ErrorCode;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * Completes the document generated from the resources' annotations (a per-request filter: {@link ApiDocumentRoute} asks for the document once per format, at its first request):
 * <ul>
 * <li>the one {@code Problem} schema of every error, its {@code code} an enum of {@link ErrorCode} (generated from
 * the catalog, never by hand), and the error responses of each operation ({@link ProblemResponses}): the codes it
 * lists in {@value ApiDocs#PROBLEM_CODES}, plus those of its security requirement and {@code internal_error}
 * ({@link ProblemCodes}); one response per status, each {@code application/problem+json} of the Problem schema with
 * an example per code;</li>
 * <li>the path parameters' descriptions and grammars ({@link #PATH_PARAMETERS});</li>
 * <li>the signed-URL route {@code GET|HEAD|PUT /storage/{key}}, a Vert.x route the scanner cannot see
 * ({@link SignedUrlRoute}), and the operators' endpoints, which get no Problem responses
 * ({@link OperatorEndpoints});</li>
 * <li>the always-present properties of the answers' schemas as {@code required} ({@link AnswerSchemas});</li>
 * <li>the document's description, and its server (the public base URL).</li>
 * </ul>
 * An unknown code in an annotation fails the document, so a typo cannot go unnoticed.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST) // made when asked: ApiDocumentRoute
public class ApiDocumentFilter implements OASFilter {
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
        ProblemResponses.addComponents(openAPI.getComponents());
        AnswerSchemas.markRequired(openAPI.getComponents());
        openAPI.getInfo().description(DESCRIPTION);
        // port 0 stands for the port the service listens on, unknown when the document is made: no server then,
        // which OpenAPI reads as "/", the origin the document was fetched from
        ConfigProvider.getConfig()
                .getOptionalValue("reelvault.public-base-url", String.class)
                .filter(url -> URI.create(url).getPort() != 0)
                .ifPresent(url -> openAPI.servers(List.of(OASFactory.createServer()
                        .url(url)
                        .description("the public base URL of this service (REELVAULT_PUBLIC_BASE_URL)"))));
        openAPI.getPaths().addPathItem(SignedUrlRoute.PATH, SignedUrlRoute.pathItem());
        openAPI.addTag(OASFactory.createTag().name(SignedUrlRoute.TAG).description(SignedUrlRoute.TAG_DESCRIPTION));
        OperatorEndpoints.addTo(openAPI);
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith(OperatorEndpoints.PREFIX)) {
                item.getOperations().forEach((method, operation) -> {
                    pathParameters(operation);
                    ProblemResponses.replace(operation, method == PathItem.HttpMethod.HEAD);
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
            "tusId", new String[] {"A resumable upload's id, `tus_{yyyyMMdd}_{random}`.", ApiDocs.TUS_ID},
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
}
