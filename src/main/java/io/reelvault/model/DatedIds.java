package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;

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
        if (text == null || text.length() > 64 || !matches(prefix, text)) {
            throw invalid(what);
        }
        return text;
    }

    /**
     * Whether {@code text} is {@code prefix_yyyyMMdd_random} with a real date (proleptic Gregorian, years 0000-9999)
     * and 12 to 32 of {@code [a-z0-9]}: checked char by char (ids are parsed on every request; no regex, no
     * {@link LocalDate} parse), with the answers of the pattern {@code ([a-z]+)_([0-9]{8})_([a-z0-9]{12,32})} plus a
     * strict {@code uuuuMMdd} parse.
     */
    static boolean matches(String prefix, String text) {
        int p = prefix.length();
        if (p == 0
                || !text.startsWith(prefix)
                || text.length() < p + 1 + 8 + 1 + 12
                || text.length() > p + 1 + 8 + 1 + 32) {
            return false;
        }
        for (int i = 0; i < p; i++) {
            char c = prefix.charAt(i);
            if (c < 'a' || c > 'z') {
                return false;
            }
        }
        if (text.charAt(p) != '_' || text.charAt(p + 9) != '_') {
            return false;
        }
        int date = 0;
        for (int i = p + 1; i < p + 9; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            date = date * 10 + (c - '0');
        }
        for (int i = p + 10; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        int year = date / 10000;
        int month = date / 100 % 100;
        int day = date % 100;
        return month >= 1 && month <= 12 && day >= 1 && day <= Month.of(month).length(Year.isLeap(year));
    }

    static ReelvaultException invalid(String what) {
        return new ReelvaultException(ErrorCode.INVALID_ID, "not a valid " + what);
    }
}
