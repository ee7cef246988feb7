package io.reelvault.api.openapi;

/**
 * Constants for the OpenAPI annotations of the resources (annotation values must be compile-time constants): the
 * grammars of the ids in paths, as {@code model/} parses them (OpenApiTest checks them against the model), and the
 * problem codes an operation can answer. An operation lists its codes in the extension {@value #PROBLEM_CODES}
 * (comma-separated); {@link ApiDocumentFilter} turns them into one response per status, each an
 * {@code application/problem+json} document of the shared {@code Problem} schema, and adds the codes every call
 * can answer (authentication, role, {@code internal_error}).
 */
public final class ApiDocs {
    private ApiDocs() {}

    /** The operation extension naming the problem codes it may answer, besides those every call can. */
    public static final String PROBLEM_CODES = "x-problem-codes";

    public static final String UPLOAD_ID = "^upload_[0-9]{8}_[a-z0-9]{12,32}$";
    public static final String TUS_ID = "^tus_[0-9]{8}_[a-z0-9]{12,32}$";
    public static final String GENERATION_ID = "^gen_[0-9]{8}_[a-z0-9]{12,32}$";
    public static final String COMPOSITION_ID = "^comp_[0-9]{8}_[a-z0-9]{12,32}$";
    /** Job ids (chosen by the pipeline) and user ids (the token's {@code sub}). */
    public static final String NAME_ID = "^[A-Za-z0-9_-]{1,64}$";
    /** 1 to 999, leading zeros allowed. */
    public static final String CLIP_NUMBER = "^(?!0{1,3}$)[0-9]{1,3}$";

    public static final String TEMP_NAME =
            "^(intermediate_[A-Za-z0-9_-]{1,100}\\.mp4|render_pass_[A-Za-z0-9_-]{1,100}\\.mp4|[A-Za-z0-9_-]{1,100}\\.tmp)$";

    /** The storage backend failed or refused the service. */
    public static final String STORAGE = "storage_unavailable,storage_refused";
    /** A write into storage: also a full disk (local backend: 507 {@code insufficient_storage}). */
    public static final String STORED = STORAGE + ",insufficient_storage";
    /** A body streamed into storage: checked from the headers, then while it streams; refused while shutting down. */
    public static final String STREAMED_BODY =
            "invalid_request,length_mismatch,request_timeout,payload_too_large,unsupported_media_type,"
                    + "rate_limited,too_many_uploads,shutting_down," + STORED;
    /** A JSON body: malformed, over its limit (see {@code api/JsonBodyLimit}), or not JSON. */
    public static final String JSON_BODY = "invalid_request,payload_too_large,unsupported_media_type";
    /** A resource of an area with retention: gone, or past its retention. */
    public static final String RETAINED = "invalid_id,not_found,expired";
    /** A list page: {@code limit}, {@code after} and filters are checked; listings have a rate-limit bucket of their own. */
    public static final String PAGE = "invalid_request,invalid_id,rate_limited," + STORAGE;
}
