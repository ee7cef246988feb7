package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ReelvaultException;
import io.reelvault.model.ObjectKey;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defence in depth: even a path that bypassed key parsing cannot leave the root. */
class SecurePathsTest {
    @TempDir
    Path root;

    @Test
    void resolvedPathsStayUnderTheRoot() {
        SecurePaths paths = new SecurePaths(root);
        for (String escape : new String[] {"..", "../x", "a/../../x", "/etc/passwd", "uploads/../../x"}) {
            assertThrows(ReelvaultException.class, () -> paths.under(escape), escape);
        }
        assertTrue(paths.resolve(ObjectKey.parse("uploads/u/a.png")).startsWith(root));
    }
}
