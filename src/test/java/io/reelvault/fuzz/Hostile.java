package io.reelvault.fuzz;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of hostile input, shared by the fuzz properties: the pure-model ones (run by jqwik's engine, with
 * shrinking) and the HTTP ones (run inside a {@code @QuarkusTest}, drawing from the same generators with a fixed
 * seed). Each generator mixes well-formed values, near misses (one character off) and the classic attack shapes:
 * traversal ({@code ..}, {@code %2e%2e}, back-slashes), NUL and control characters, overlong UTF-8, unicode
 * look-alikes and normalisation tricks, huge numbers, empty values.
 */
public final class Hostile {
    /** Traversal, encodings, control characters, look-alikes: spliced into otherwise plausible values. */
    public static final List<String> FRAGMENTS = List.of(
            "..",
            ".",
            "../",
            "/..",
            "..\\",
            "\\",
            "/",
            "//",
            "./",
            ".hidden",
            "%2e%2e",
            "%2E%2E",
            "%2e%2e%2f",
            "..%2f",
            "%2f",
            "%5c",
            "%252e%252e",
            "%00",
            "%",
            "%zz",
            "%c0%ae",
            "\0",
            "\n",
            "\r\n",
            "\t",
            " ",
            "\u007f",
            "\u0085",
            "\u2028",
            "\u00c0\u00ae",
            "\u00e0\u0080\u00ae", // overlong '.' (2 and 3 bytes) read as Latin-1
            "\uFF0E\uFF0E",
            "\u2024",
            "\u2025",
            "\uFE52",
            "\u00b7", // dots that NFKC folds to '.' or look like one
            "\uFF0F",
            "\u2215",
            "\uFF3C", // fullwidth and division slashes, fullwidth back-slash
            "e\u0301",
            "\u00e9",
            "\u212A",
            "\u017F",
            "\u0130",
            "\uFB01", // combining, Kelvin, long s, dotted I, ligature
            "\u202E",
            "\u200B",
            "\uFEFF",
            "\uD800",
            "\uD83D\uDE00", // RTL override, zero width, BOM, lone surrogate
            "?",
            "#",
            ";",
            "&",
            "=",
            "+",
            "*",
            ":",
            "$",
            "'",
            "\"",
            "<",
            ">",
            "|",
            "~",
            "@",
            "CON",
            "nul",
            "x".repeat(300));

    /** Number-like text: ordinary, signed, padded, overflowing, non-ASCII digits. */
    public static final List<String> NUMBERS = List.of(
            "0",
            "1",
            "-1",
            "+1",
            "007",
            "1e3",
            "0x10",
            " 1",
            "1 ",
            "1.0",
            "",
            "-",
            "--1",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "18446744073709551616",
            "99999999999999999999999999999",
            "1".repeat(400),
            "\u0661\u0662",
            "\uFF11",
            "\u00b9");

    private static final String SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

    private Hostile() {}

    public static Arbitrary<String> fragment() {
        return Arbitraries.of(FRAGMENTS);
    }

    public static Arbitrary<String> number() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(NUMBERS)),
                Tuple.of(3, Arbitraries.longs().between(0, 5000).map(String::valueOf)),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(1, Arbitraries.strings().numeric().ofMinLength(15).ofMaxLength(30)));
    }

    /** 1 to {@code max} characters of {@code [A-Za-z0-9_-]}, the alphabet of names and ids. */
    public static Arbitrary<String> safe(int max) {
        return Arbitraries.strings().withChars(SAFE).ofMinLength(1).ofMaxLength(max);
    }

    /** A segment of the key grammar: {@code [A-Za-z0-9._-]}, not starting with a dot. */
    public static Arbitrary<String> keySegment() {
        return Combinators.combine(
                        safe(1), Arbitraries.strings().withChars(SAFE + ".").ofMaxLength(24))
                .as(String::concat);
    }

    /** Any text at all, mostly short: every code point jqwik draws, surrogates included. */
    public static Arbitrary<String> anyText() {
        return Arbitraries.strings().all().ofMaxLength(12);
    }

    /** {@code base} as it is (most often), or with a hostile fragment spliced in, or a character dropped. */
    public static Arbitrary<String> nearMiss(Arbitrary<String> base) {
        Arbitrary<String> spliced = Combinators.combine(
                        base, fragment(), Arbitraries.integers().between(0, 1 << 16))
                .as((s, f, at) -> {
                    int i = at % (s.length() + 1);
                    return s.substring(0, i) + f + s.substring(i);
                });
        Arbitrary<String> dropped = Combinators.combine(
                        base, Arbitraries.integers().between(0, 1 << 16))
                .as((s, at) -> s.isEmpty() ? s : s.substring(0, at % s.length()) + s.substring(at % s.length() + 1));
        Arbitrary<String> cased = base.map(s -> s.toUpperCase(Locale.ROOT));
        return Arbitraries.frequencyOf(
                Tuple.of(5, base), Tuple.of(4, spliced), Tuple.of(1, dropped), Tuple.of(1, cased));
    }

    /** A well-formed object key: an area and 1 to 5 segments. */
    public static Arbitrary<String> validKey() {
        return Combinators.combine(
                        Arbitraries.of("uploads", "generations", "compositions", "temp"),
                        keySegment().list().ofMinSize(1).ofMaxSize(5))
                .as((area, segments) -> area + "/" + String.join("/", segments));
    }

    /** Text shaped like an object key, valid or nearly so or hostile. */
    public static Arbitrary<String> keyLike() {
        Arbitrary<String> piece =
                Arbitraries.frequencyOf(Tuple.of(6, keySegment()), Tuple.of(3, fragment()), Tuple.of(1, anyText()));
        Arbitrary<String> area = Arbitraries.of(
                "uploads",
                "generations",
                "compositions",
                "temp",
                "Uploads",
                "storage",
                "",
                ".",
                "..",
                "/uploads",
                "uploads\\",
                "%75ploads");
        Arbitrary<String> pieces = Combinators.combine(
                        area,
                        piece.list().ofMinSize(0).ofMaxSize(8),
                        Arbitraries.of("/", "/", "/", "//", "\\", "%2f", "/./"))
                .as((a, ps, sep) -> ps.isEmpty() ? a : a + "/" + String.join(sep, ps));
        return Arbitraries.frequencyOf(Tuple.of(3, nearMiss(validKey())), Tuple.of(4, pieces), Tuple.of(1, anyText()));
    }

    /** A dated id ({@code prefix_yyyyMMdd_random}), valid or nearly so or hostile; {@code prefix} is the right one. */
    public static Arbitrary<String> datedIdLike(String prefix) {
        Arbitrary<String> prefixes = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(prefix)),
                Tuple.of(2, Arbitraries.of("upload", "gen", "comp", "", "UPLOAD", prefix + prefix)));
        Arbitrary<String> dates = Arbitraries.frequencyOf(
                Tuple.of(
                        8,
                        Arbitraries.integers()
                                .between(0, 40_000)
                                .map(d ->
                                        LocalDate.of(2000, 1, 1).plusDays(d).format(DateTimeFormatter.BASIC_ISO_DATE))),
                Tuple.of(
                        2,
                        Arbitraries.of(
                                "20261399",
                                "20260230",
                                "00000000",
                                "2026113",
                                "202611290",
                                "\uFF12\uFF10\uFF12\uFF16\uFF11\uFF11\uFF12\uFF19",
                                "99999999",
                                "-2026112")));
        Arbitrary<String> randoms = Arbitraries.frequencyOf(
                Tuple.of(
                        8,
                        Arbitraries.strings()
                                .withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                                .ofMinLength(12)
                                .ofMaxLength(32)),
                Tuple.of(
                        2,
                        Arbitraries.strings()
                                .withChars(SAFE + ".")
                                .ofMinLength(0)
                                .ofMaxLength(70)));
        return Arbitraries.frequencyOf(
                Tuple.of(
                        9,
                        nearMiss(Combinators.combine(prefixes, dates, randoms).as((p, d, r) -> p + "_" + d + "_" + r))),
                Tuple.of(1, anyText()));
    }

    /** Text shaped like a job or user id: 1 to 64 of {@code [A-Za-z0-9_-]}, or nearly so. */
    public static Arbitrary<String> nameLike() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, nearMiss(safe(70))), Tuple.of(1, Arbitraries.just("")), Tuple.of(1, anyText()));
    }

    /** A clip number as sent in a path: 1 to 999, or near it, or no number at all. */
    public static Arbitrary<String> clipNumberLike() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(-5, 1200).map(String::valueOf)),
                Tuple.of(4, nearMiss(number())),
                Tuple.of(1, anyText()));
    }

    /** A temp file name: {@code intermediate_{label}.mp4}, {@code render_pass_{label}.mp4}, {@code {label}.tmp}, or near. */
    public static Arbitrary<String> tempNameLike() {
        Arbitrary<String> valid = Combinators.combine(
                        Arbitraries.of("intermediate_", "render_pass_", ""),
                        safe(110),
                        Arbitraries.of(".mp4", ".tmp", ".MP4", ".mp4.tmp", ".tmp.mp4", "", "."))
                .as((a, b, c) -> a + b + c);
        return Arbitraries.frequencyOf(Tuple.of(9, nearMiss(valid)), Tuple.of(1, anyText()));
    }

    /** A user's file name as a browser or a hostile client sends it: folders, odd extensions, control characters. */
    public static Arbitrary<String> fileNameLike() {
        Arbitrary<String> folder = Arbitraries.of(
                "",
                "",
                "",
                "../",
                "../../",
                "..\\..\\",
                "C:\\Users\\me\\",
                "/etc/",
                "%2e%2e/",
                "\\\\server\\share\\",
                "a/b/",
                "./");
        Arbitrary<String> base = Arbitraries.frequencyOf(
                Tuple.of(6, safe(40)),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20)),
                Tuple.of(
                        1, Arbitraries.strings().withChars('a').ofMinLength(250).ofMaxLength(260)),
                Tuple.of(1, Arbitraries.of(" ", "   ", ".", "..", "", "\u00a0")));
        Arbitrary<String> ext = Arbitraries.of(
                ".png",
                ".jpg",
                ".jpeg",
                ".gif",
                ".mp3",
                ".wav",
                ".PNG",
                ".Jpeg",
                ".exe",
                "",
                ".",
                ".png.exe",
                ".exe.png",
                ".png\0.exe",
                ".png ",
                " .png",
                ".png\n",
                ".p\u0578g",
                "\u202Egnp.exe",
                ".png/",
                ".png\\",
                ".mp4",
                ".tmp",
                ".svg",
                ".html");
        return Arbitraries.frequencyOf(
                Tuple.of(9, nearMiss(Combinators.combine(folder, base, ext).as((f, b, e) -> f + b + e))),
                Tuple.of(1, anyText()));
    }

    /** A {@code Range} header value: single, suffix, open, multi ranges, other units, overflowing numbers, noise. */
    public static Arbitrary<String> rangeHeader() {
        Arbitrary<String> spec = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(number(), number()).as((a, b) -> a + "-" + b)),
                Tuple.of(2, number().map(a -> a + "-")),
                Tuple.of(2, number().map(b -> "-" + b)),
                Tuple.of(1, Arbitraries.of("-", "", "0", "--", "0--1", "1-2-3", "a-b", " 0 - 1 ")));
        Arbitrary<String> unit = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just("bytes=")),
                Tuple.of(
                        2,
                        Arbitraries.of(
                                "BYTES=",
                                "bytes =",
                                "bytes",
                                "bits=",
                                "=",
                                "bytes==",
                                " bytes=",
                                "bytes= ",
                                "bytes=\0",
                                "items=")));
        Arbitrary<String> specs = Combinators.combine(
                        spec.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(",", ", ", ";", ""))
                .as((l, sep) -> String.join(sep, l));
        return Arbitraries.frequencyOf(
                Tuple.of(9, Combinators.combine(unit, specs).as(String::concat)), Tuple.of(1, anyText()));
    }

    /** An object size: tiny, ordinary, or near the largest long. */
    public static Arbitrary<Long> objectSize() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 5000)),
                Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                Tuple.of(1, Arbitraries.of(0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1)));
    }
}
