package io.reelvault.api.openapi;

import static io.reelvault.api.openapi.OpenApiParts.header;
import static io.reelvault.api.openapi.OpenApiParts.string;

import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * The signed-URL route {@code GET|HEAD|PUT /storage/{key}}, a Vert.x route the scanner cannot see: its parameters
 * (the signed query), operations and answers. Its error responses are added with every other operation's.
 */
final class SignedUrlRoute {
    static final String PATH = "/storage/{key}";
    static final String TAG = "signed URLs";
    static final String TAG_DESCRIPTION =
            "Objects of the local backend served and received through the service's own signed URLs (HMAC-SHA256)."
                    + " On S3 the URLs point at the bucket and this route answers 404.";

    private SignedUrlRoute() {}

    /** {@code GET|HEAD|PUT /storage/{key}}: see {@code api/StorageRoutes} and {@code storage/local/LocalUrlSigner}. */
    static PathItem pathItem() {
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
                                + " checked against the checksum (CRC32C) recorded when the object was written: when the bytes on disk no longer"
                                + " match, the answer is cut (connection closed) before its last byte, never a complete body (500"
                                + " `internal_error` when nothing was sent yet). A ranged GET cannot be checked.",
                        "invalid_key,signature_invalid,signature_expired,not_found,expired,range_not_satisfiable,"
                                + "storage_unavailable")
                .addParameter(disposition)
                .addParameter(responseType)
                .addParameter(requestHeader(
                        "Range",
                        "One range, `bytes=start-end`, `bytes=start-` or `bytes=-suffix`: 206 with"
                                + " that range, 416 when none of it lies inside the object. Several ranges, or a malformed header,"
                                + " are ignored (200, the whole object), as RFC 9110 allows."))
                .addParameter(requestHeader(
                        "If-None-Match", "An ETag from an earlier answer (or `*`): 304 when it still matches."));
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

    private static Operation storageOperation(String summary, String description, String codes) {
        Operation operation = OASFactory.createOperation()
                .summary(summary)
                .description(description)
                .tags(List.of(TAG))
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

    private static Parameter requestHeader(String name, String description) {
        return OASFactory.createParameter()
                .name(name)
                .in(Parameter.In.HEADER)
                .description(description)
                .schema(string(null));
    }
}
