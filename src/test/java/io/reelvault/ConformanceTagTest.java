package io.reelvault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The conformance checks (test classes tagged {@code conformance}) run in the Surefire execution {@code conformance}
 * of pom.xml, which the default execution leaves them to. That execution hands JUnit only the classes its
 * {@code <includes>} name (Quarkus would otherwise build an application for every test profile of the suite, only for
 * the tag filter to drop them), so a tagged class that no include names would run in neither execution.
 */
class ConformanceTagTest {
    static final Path TESTS = Path.of("src", "test", "java");

    @Test
    void everyTaggedClassIsIncludedByTheConformanceExecution() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher execution = Pattern.compile("<id>conformance</id>(.*?)</execution>", Pattern.DOTALL)
                .matcher(pom);
        assertTrue(execution.find(), "pom.xml has a Surefire execution with the id conformance");
        List<PathMatcher> includes = new ArrayList<>();
        Matcher include =
                Pattern.compile("<include>\\s*([^<\\s]+)\\s*</include>").matcher(execution.group(1));
        while (include.find()) {
            includes.add(FileSystems.getDefault().getPathMatcher("glob:" + include.group(1)));
        }
        assertFalse(includes.isEmpty(), "the conformance execution names its classes in <includes>");

        List<String> tagged = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (Files.readString(file).contains("@Tag(\"conformance\")")) {
                    Path relative = TESTS.relativize(file);
                    tagged.add(relative.toString());
                    if (includes.stream().noneMatch(m -> m.matches(relative))) {
                        missed.add(relative.toString());
                    }
                }
            }
        }
        assertFalse(tagged.isEmpty(), "some class is tagged conformance");
        assertEquals(List.of(), missed, "tagged conformance but not in the conformance execution's <includes>");
    }
}
