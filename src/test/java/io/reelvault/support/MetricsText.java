package io.reelvault.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The Prometheus text of {@code /q/metrics}, read as samples: a name, labels, a value. */
public final class MetricsText {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, String value) {}

    private final String text;
    private final List<Sample> samples;

    public MetricsText(String text) {
        this.text = text;
        this.samples = text.lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(MetricsText::parse)
                .toList();
    }

    /** Scrapes the running test application (its management interface). */
    public static MetricsText scrape() {
        return new MetricsText(Management.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    }

    private static Sample parse(String line) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not a Prometheus sample line: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(3) != null) {
            Matcher l = LABEL.matcher(m.group(3));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
        }
        return new Sample(m.group(1), labels, m.group(4));
    }

    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Every sample name (a histogram shows as its {@code _bucket}, {@code _count} and {@code _sum}). */
    public Set<String> names() {
        return samples.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The values a label takes across the samples of one name. */
    public Set<String> labelValues(String name, String label) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().containsKey(label))
                .map(s -> s.labels().get(label))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The value of series {@code name} with the labels {@code labels} (name, value, name, value...; labels not given
     * may take any value): the sum over every sample that matches, 0 when none does. Counters are compared before and
     * after an action ({@link #delta}), since most are registered at start-up: their mere presence proves nothing.
     */
    public double value(String name, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        return samples.stream()
                .filter(s -> s.name().equals(name) && matches(s.labels(), labels))
                .mapToDouble(s -> Double.parseDouble(s.value()))
                .sum();
    }

    private static boolean matches(Map<String, String> actual, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(actual.get(labels[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The value of the first sample named {@code name}, whatever its labels; fails when there is none. */
    public double first(String name) {
        return samples.stream()
                .filter(s -> s.name().equals(name))
                .mapToDouble(s -> Double.parseDouble(s.value()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing"));
    }

    /** How much series {@code name} with {@code labels} grew from {@code before} to this scrape ({@link #value}). */
    public double delta(MetricsText before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }

    /** The label names samples of this name carry. */
    public Set<String> labelNames(String name) {
        return samples.stream()
                .filter(s -> s.name().equals(name))
                .flatMap(s -> s.labels().keySet().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
