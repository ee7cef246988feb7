package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.fuzz.Hostile;
import io.reelvault.model.ObjectKey;
import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of {@link SecurePaths}, the local backend's last line against traversal: a parsed key always
 * resolves inside the storage root and back to itself, and any relative string at all (the defence in depth behind
 * key parsing) resolves inside the root or is refused with {@code invalid_key}, nothing else. 10,000 cases each.
 */
class SecurePathsFuzzProperties {
    private static final int TRIES = 10_000;
    private final Path root = Path.of("target/fuzz-root").toAbsolutePath();
    private final SecurePaths paths = new SecurePaths(root);

    @Provide
    Arbitrary<String> keys() {
        return Hostile.keyLike();
    }

    @Provide
    Arbitrary<String> anyRelative() {
        return Arbitraries.oneOf(
                Hostile.keyLike(),
                Hostile.fileNameLike(),
                Hostile.fragment().list().ofMaxSize(6).map(l -> String.join("", l)));
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void aParsedKeyResolvesInsideTheRootAndBack(@ForAll("keys") String text) {
        if (!ObjectKey.isValid(text)) {
            return;
        }
        ObjectKey key = ObjectKey.parse(text);
        Path path = paths.resolve(key);
        assertTrue(path.startsWith(paths.root()) && !path.equals(paths.root()), text);
        assertEquals(key.value(), paths.keyOf(path));
        assertEquals(key, ObjectKey.parse(paths.keyOf(path)));
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void anyRelativePathStaysInsideTheRootOrIsInvalidKey(@ForAll("anyRelative") String text) {
        under(text).ifPresent(path -> {
            assertTrue(path.startsWith(paths.root()), text + " -> " + path);
            assertFalse(path.equals(paths.root()) && !text.isEmpty(), text);
        });
    }

    /**
     * Shrunk counterexample of the property above: a NUL made {@code under} throw {@code InvalidPathException} (a 500
     * wherever it escaped) instead of {@code invalid_key}. Key and prefix parsing refuse NUL first, so no request
     * reached it; the defence in depth now holds on its own.
     */
    @Example
    void aNulIsAnInvalidKeyNotAnInvalidPath() {
        assertEquals(Optional.empty(), under("uploads/\0"));
        assertEquals(Optional.empty(), under("\0"));
    }

    private Optional<Path> under(String text) {
        try {
            return Optional.of(paths.under(text));
        } catch (ReelvaultException e) {
            assertEquals(ErrorCode.INVALID_KEY, e.code(), text);
            return Optional.empty();
        }
    }
}
