package io.reelvault.similarity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The labelled prompt pairs of {@code similarity/corpus.tsv}. */
final class Corpus {
    private static final Pattern ESCAPE = Pattern.compile("\\\\(t|n|u([0-9A-Fa-f]{4}))");

    /** One labelled pair; {@code mustMatch} false means it must never match. */
    record Pair(boolean mustMatch, String category, String a, String b) {
        /** Whether the pair differs only in what the normaliser removes, so their normal forms must be equal. */
        boolean normalisesEqual() {
            return mustMatch
                    && List.of("case", "whitespace", "punctuation", "unicode").contains(category);
        }

        @Override
        public String toString() {
            return category + ": \"" + a + "\" / \"" + b + "\"";
        }
    }

    private Corpus() {}

    static List<Pair> pairs() {
        try (InputStream in = Corpus.class.getResourceAsStream("/similarity/corpus.tsv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(Corpus::parse)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Pair> mustMatch() {
        return pairs().stream().filter(Pair::mustMatch).toList();
    }

    static List<Pair> nearMisses() {
        return pairs().stream().filter(p -> !p.mustMatch()).toList();
    }

    private static Pair parse(String line) {
        String[] cols = line.split("\t", -1);
        if (cols.length != 4 || !List.of("match", "miss").contains(cols[0])) {
            throw new IllegalStateException("corpus line is not label, category, a, b: " + line);
        }
        return new Pair(cols[0].equals("match"), cols[1], unescape(cols[2]), unescape(cols[3]));
    }

    private static String unescape(String text) {
        Matcher m = ESCAPE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = switch (m.group(1).charAt(0)) {
                case 't' -> "\t";
                case 'n' -> "\n";
                default -> String.valueOf((char) Integer.parseInt(m.group(2), 16));
            };
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }
}
