package io.reelvault.service.artifact;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The statuses of artifacts in JSON and in queries: the constant's name in lower case ({@code kept_original}). */
public final class Statuses {
    private Statuses() {}

    public static String value(Enum<?> status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    /** The constant named {@code text}; {@code invalid_request} "status must be a, b or c" otherwise. */
    public static <E extends Enum<E>> E parse(Class<E> type, String text) {
        List<E> all = Arrays.asList(type.getEnumConstants());
        return all.stream().filter(e -> value(e).equals(text)).findFirst().orElseThrow(() -> {
            List<String> names = all.stream().map(Statuses::value).toList();
            String choices =
                    String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
            return new ReelvaultException(ErrorCode.INVALID_REQUEST, "status must be " + choices);
        });
    }
}
