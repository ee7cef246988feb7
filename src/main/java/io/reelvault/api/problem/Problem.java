package io.reelvault.api.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reelvault.error.ErrorCode;

/**
 * An RFC 9457 problem document, the body of every error ({@code application/problem+json}).
 *
 * @param type     a URI naming the problem type, one per {@link ErrorCode}
 * @param code     the stable machine-readable code
 * @param instance an incident id for 5xx answers, to find the matching log line; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://reelvault.io/problems/";

    public static Problem of(ErrorCode code, String detail, String instance) {
        return new Problem(TYPE_BASE + code.code(), code.title(), code.status(), detail, code.code(), instance);
    }
}
