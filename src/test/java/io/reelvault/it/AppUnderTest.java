package io.reelvault.it;

import java.util.List;

/** The packaged application that {@code @QuarkusIntegrationTest} started as a child process of this JVM. */
final class AppUnderTest {
    private AppUnderTest() {}

    /** The {@code -Xmx} in effect (the last one on its command line), e.g. {@code -Xmx64m}. */
    static String heapFlag() {
        List<String> args = ProcessHandle.current()
                .descendants()
                .map(p -> p.info().arguments().map(List::of).orElse(List.<String>of()))
                .filter(a -> a.stream().anyMatch(s -> s.endsWith("quarkus-run.jar")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the application under test is not a child of this JVM"));
        return args.stream()
                .filter(s -> s.startsWith("-Xmx"))
                .reduce((a, b) -> b)
                .orElse("(no -Xmx)");
    }
}
