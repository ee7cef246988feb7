package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written id check answers as the former regex plus strict {@code uuuuMMdd} parse did. */
class DatedIdsTest {
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern SHAPE = Pattern.compile("([a-z]+)_([0-9]{8})_([a-z0-9]{12,32})");

    /** The former implementation, kept here as the reference. */
    static boolean reference(String prefix, String text) {
        if (text == null || text.length() > 64) {
            return false;
        }
        var m = SHAPE.matcher(text);
        if (!m.matches() || !m.group(1).equals(prefix)) {
            return false;
        }
        try {
            LocalDate.parse(m.group(2), DATE);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    static boolean parses(String prefix, String text) {
        try {
            return DatedIds.parse(prefix, text, "id").equals(text);
        } catch (ReelvaultException e) {
            assertEquals(ErrorCode.INVALID_ID, e.code());
            return false;
        }
    }

    @Test
    void everyMonthAndDayOfLeapAndCommonYearsAsBefore() {
        for (int year : new int[] {0, 1, 4, 100, 400, 1600, 1700, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999}) {
            for (int month = 0; month < 100; month++) {
                for (int day = 0; day < 100; day++) {
                    String id = String.format("upl_%04d%02d%02d_abcdefghij012345", year, month, day);
                    assertEquals(reference("upl", id), parses("upl", id), id);
                }
            }
        }
    }

    @Test
    void february29thOfEveryYearAsBefore() {
        for (int year = 0; year <= 9999; year++) {
            for (String mmdd : new String[] {"0228", "0229", "0230", "1231"}) {
                String id = String.format("gen_%04d%s_abcdefghij012345", year, mmdd);
                assertEquals(reference("gen", id), parses("gen", id), id);
            }
        }
    }

    @Test
    void shapesAsBefore() {
        List<String> cases = new ArrayList<>(List.of(
                "",
                "upl",
                "upl_",
                "upl_20240101_",
                "upl_20240101_abcdefghijkl",
                "upl_20240101_abcdefghijk",
                "upl_20240101_" + "a".repeat(32),
                "upl_20240101_" + "a".repeat(33),
                "upl_20240101_ABCDEFGHIJKL",
                "upl_2024010_abcdefghijkl",
                "upl_202401011_abcdefghijkl",
                "upl_2024-101_abcdefghijkl",
                "upl_20240101-abcdefghijkl",
                "upl-20240101_abcdefghijkl",
                "upla_20240101_abcdefghijkl",
                "up_20240101_abcdefghijkl",
                "cmp_20240101_abcdefghijkl",
                "UPL_20240101_abcdefghijkl",
                "upl_20240101_abcdefghijkl ",
                " upl_20240101_abcdefghijkl",
                "upl_20240101_abcdefghijkl\n",
                "upl_２0240101_abcdefghijkl",
                "upl_20240101_abcdéfghijkl",
                "upl_20240101_abcdefghij_kl"));
        Random random = new Random(14);
        String alphabet = "upl_0123456789abcz-ZÉ ";
        for (int i = 0; i < 200_000; i++) {
            char[] chars = "upl_20240229_abcdefghijkl".toCharArray();
            int edits = 1 + random.nextInt(3);
            StringBuilder sb = new StringBuilder(new String(chars));
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(sb.length() + 1);
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> sb.insert(at, c);
                    case 1 -> {
                        if (at < sb.length()) {
                            sb.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < sb.length()) {
                            sb.setCharAt(at, c);
                        }
                    }
                }
            }
            cases.add(sb.toString());
        }
        for (String id : cases) {
            assertEquals(reference("upl", id), parses("upl", id), id);
        }
    }

    @Test
    void nullAndTooLongAreInvalid() {
        assertThrows(ReelvaultException.class, () -> DatedIds.parse("upl", null, "upload id"));
        assertThrows(ReelvaultException.class, () -> DatedIds.parse("upl", "upl_20240101_" + "a".repeat(60), "x"));
    }
}
