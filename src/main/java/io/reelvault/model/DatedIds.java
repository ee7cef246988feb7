package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Pattern;

/**
 * Grammar shared by the dated ids of DESIGN.md: {@code {prefix}_{yyyyMMdd}_{random}}, where the
 * random part is {@value #RANDOM_LENGTH} lower-case alphanumerics drawn from a CSPRNG (about 62
 * bits, so ids cannot be guessed). Parsing accepts random parts of 12 to 32 characters.
 */
final class DatedIds {
    static final int RANDOM_LENGTH = 16;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern SHAPE = Pattern.compile("([a-z]+)_([0-9]{8})_([a-z0-9]{12,32})");

    private DatedIds() {}

    static String generate(String prefix, Clock clock) {
        StringBuilder sb = new StringBuilder(prefix.length() + 10 + RANDOM_LENGTH);
        sb.append(prefix)
                .append('_')
                .append(LocalDate.now(clock.withZone(ZoneOffset.UTC)).format(DATE))
                .append('_');
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** @throws ReelvaultException {@link ErrorCode#INVALID_ID} naming {@code what} when text is not such an id */
    static String parse(String prefix, String text, String what) {
        if (text == null || text.length() > 64) {
            throw invalid(what);
        }
        var m = SHAPE.matcher(text);
        if (!m.matches() || !m.group(1).equals(prefix)) {
            throw invalid(what);
        }
        try {
            LocalDate.parse(m.group(2), DATE);
        } catch (DateTimeParseException e) {
            throw invalid(what);
        }
        return text;
    }

    static ReelvaultException invalid(String what) {
        return new ReelvaultException(ErrorCode.INVALID_ID, "not a valid " + what);
    }
}
