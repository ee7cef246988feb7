package io.reelvault.support;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The local storage root of @QuarkusTest tests ({@code reelvault.storage.local.path}): a fresh directory for each test
 * JVM, {@code target/test-storage/run-<time>-<pid>}, never one shared with earlier runs (whose objects a test that moves
 * the clock years ahead and sweeps would otherwise find, and which listings would count). A config source (registered
 * in META-INF/services) so that the application and the tests that look at the files ({@link #path()}) agree; the
 * directory is pinned in a system property because Quarkus loads test classes in more than one class loader. Above
 * application.properties (250), below environment variables and what a test profile or resource sets.
 */
public class TestStorageRoot implements ConfigSource {
    static final String KEY = "reelvault.storage.local.path";
    /** Outside {@code reelvault.*}: an unknown key there fails the config validation. */
    static final String PINNED = "io.reelvault.test.storage-root";

    /** This JVM's root, relative to the module (as the application resolves it). */
    public static Path path() {
        synchronized (System.getProperties()) {
            String root = System.getProperty(PINNED);
            if (root == null) {
                root = "target/test-storage/run-"
                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                        + ProcessHandle.current().pid();
                System.setProperty(PINNED, root);
            }
            return Path.of(root);
        }
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, path().toString());
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? path().toString() : null;
    }

    @Override
    public String getName() {
        return "reelvault test storage root";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
