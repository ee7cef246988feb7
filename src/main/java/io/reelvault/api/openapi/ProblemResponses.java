package io.reelvault.api.openapi;

import static io.reelvault.api.openapi.OpenApiParts.header;
import static io.reelvault.api.openapi.OpenApiParts.string;

import io.reelvault.api.problem.Problem;
import io.reelvault.error.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The error responses: the one {@code Problem} schema of every error, its {@code code} an enum of {@link ErrorCode}
 * (generated from the catalog, never by hand), one example per code kept once in {@code components/examples}, and
 * for each operation one response per status of its {@link ProblemCodes}, each {@code application/problem+json} of
 * the Problem schema with an example per code.
 */
final class ProblemResponses {
    static final String PROBLEM_SCHEMA = "Problem";
    static final String PROBLEM_REF = "#/components/schemas/" + PROBLEM_SCHEMA;
    static final String EXAMPLES_REF = "#/components/examples/";

    private ProblemResponses() {}

    /** Adds the Problem schema and an example of every code. */
    static void addComponents(Components components) {
        components.addSchema(PROBLEM_SCHEMA, problemSchema());
        for (ErrorCode code : ErrorCode.values()) {
            components.addExample(code.code(), example(code));
        }
    }

    /** Replaces the operation's error responses by Problem responses of its codes (a HEAD answer has no body). */
    static void replace(Operation operation, boolean head) {
        Set<ErrorCode> codes = ProblemCodes.of(operation);
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

    /** The shape of {@link Problem}: its {@code code} lists every {@link ErrorCode}, in catalog order. */
    private static Schema problemSchema() {
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
}
