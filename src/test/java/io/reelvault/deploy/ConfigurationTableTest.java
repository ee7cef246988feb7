package io.reelvault.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's Configuration table is the operators' list of settings, and the deployment files are checked against
 * it: so it must list every setting the code has, and nothing the code does not read.
 */
@Tag("conformance")
class ConfigurationTableTest {

    @Test
    void everyRowIsARealSettingAndEverySettingHasARow() {
        List<String> problems = AppSettings.get().tableProblems();
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    @Test
    void theTableIsReadWholeWithItsAbbreviatedNamesExpanded() {
        AppSettings app = AppSettings.get();
        assertTrue(
                app.readmeEnv()
                        .containsAll(List.of(
                                "USE_LOCAL_STORAGE",
                                "AWS_SECRET_ACCESS_KEY",
                                "QUARKUS_HTTP_PORT",
                                "REELVAULT_RATE_LIMITS_URL_PIPELINE_PER_MINUTE",
                                "REELVAULT_MEDIA_FFPROBE_PATH")),
                () -> app.readmeEnv().toString());
        assertTrue(
                app.readmeEnv().stream().allMatch(n -> n.matches("[A-Z][A-Z0-9_]*")),
                () -> app.readmeEnv().toString());
    }

    @Test
    void aRowForNothingIsCaught() throws Exception {
        List<String> readme = readme();
        readme.add(firstRow(readme), "| `REELVAULT_STORAGE_S3_ACCELERATE` | `false` | S3 Transfer Acceleration |");
        List<String> problems = new AppSettings(properties(), readme).tableProblems();
        assertEquals(1, problems.size(), problems::toString);
        assertTrue(problems.get(0).contains("REELVAULT_STORAGE_S3_ACCELERATE is no setting"), problems::toString);
    }

    @Test
    void aBuildTimeQuarkusKeyIsNoRow() throws Exception {
        List<String> readme = readme();
        readme.add(firstRow(readme), "| `QUARKUS_HTTP_NON_APPLICATION_ROOT_PATH` | `q` | where /q/health lives |");
        List<String> problems = new AppSettings(properties(), readme).tableProblems();
        assertTrue(
                problems.toString().contains("QUARKUS_HTTP_NON_APPLICATION_ROOT_PATH is no setting"),
                problems::toString);
    }

    @Test
    void aSettingWithoutARowIsCaught() throws Exception {
        List<String> readme = readme();
        readme.removeIf(line -> line.startsWith("| `S3_PATH_STYLE`") || line.startsWith("| `REELVAULT_MEDIA_QUEUE`"));
        List<String> problems = new AppSettings(properties(), readme).tableProblems();
        assertEquals(
                List.of(
                        "README.md: no row for reelvault.media.queue (REELVAULT_MEDIA_QUEUE)",
                        "README.md: no row for S3_PATH_STYLE, which application.properties reads"),
                problems);
    }

    /** The index of the Configuration table's first row. */
    private static int firstRow(List<String> readme) {
        int section = readme.indexOf("## Configuration");
        for (int i = section; i < readme.size(); i++) {
            if (readme.get(i).startsWith("| `")) {
                return i;
            }
        }
        throw new IllegalStateException("no Configuration table");
    }

    private static List<String> readme() throws Exception {
        return new ArrayList<>(Files.readAllLines(AppSettings.README));
    }

    private static String properties() throws Exception {
        return Files.readString(AppSettings.PROPERTIES);
    }
}
