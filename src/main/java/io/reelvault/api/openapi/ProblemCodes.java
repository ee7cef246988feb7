package io.reelvault.api.openapi;

import io.reelvault.error.ErrorCode;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;

/**
 * The problem codes an operation can answer: those it lists in {@value ApiDocs#PROBLEM_CODES}, plus
 * {@code unauthenticated}/{@code invalid_subject} (401) when it needs a token, {@code forbidden} (403) when it needs
 * the group {@code pipeline}, and {@code internal_error} (500) for all. An unknown code in an annotation fails the
 * document, so a typo cannot go unnoticed.
 */
final class ProblemCodes {
    static final String PIPELINE = "pipeline";

    private ProblemCodes() {}

    /** The operation's codes; its {@value ApiDocs#PROBLEM_CODES} extension is removed (it is not for clients). */
    static Set<ErrorCode> of(Operation operation) {
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
        codes.addAll(security(operation));
        codes.add(ErrorCode.INTERNAL_ERROR);
        return codes;
    }

    /** What the operation's security requirement can refuse: no or a bad token, and the wrong role. */
    private static Set<ErrorCode> security(Operation operation) {
        Set<ErrorCode> codes = EnumSet.noneOf(ErrorCode.class);
        List<SecurityRequirement> security = operation.getSecurity() == null ? List.of() : operation.getSecurity();
        if (!security.isEmpty()) {
            codes.add(ErrorCode.UNAUTHENTICATED);
            codes.add(ErrorCode.INVALID_SUBJECT);
            if (security.stream()
                    .anyMatch(r -> r.getSchemes().values().stream().anyMatch(roles -> roles.contains(PIPELINE)))) {
                codes.add(ErrorCode.FORBIDDEN);
            }
        }
        return codes;
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
}
