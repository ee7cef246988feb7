package io.reelvault.api;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Parsing of the list endpoints' query parameters, with coded errors. */
final class QueryParams {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private QueryParams() {}

    /** {@code limit}: 1 to 1000, default 100. */
    static int limit(Integer limit) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "limit must be 1 to " + MAX_LIMIT);
        }
        return n;
    }

    /** An ISO-8601 instant ({@code 2026-11-29T10:00:00Z}) or a UTC date ({@code 2026-11-29}, its start). */
    static Optional<Instant> instant(String name, String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    value.length() == 10
                            ? LocalDate.parse(value)
                                    .atStartOfDay(ZoneOffset.UTC)
                                    .toInstant()
                            : Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_REQUEST,
                    name + " must be an ISO-8601 instant or date, e.g. 2026-11-29T00:00:00Z");
        }
    }

    /** {@code true} or {@code false}, nothing else. */
    static boolean flag(String name, String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ReelvaultException(ErrorCode.INVALID_REQUEST, name + " must be true or false");
        };
    }
}
