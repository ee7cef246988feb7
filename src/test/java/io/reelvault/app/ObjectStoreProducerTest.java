package io.reelvault.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import io.reelvault.support.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer picks the backend from config and names the variable when a setting is missing. */
public class ObjectStoreProducerTest {
    @TempDir
    Path root;

    @Test
    void localIsTheDefaultBackendAndCreatesItsRoot() {
        ObjectStore store = ObjectStoreProducer.backend(
                TestConfigs.config(true, root.resolve("new/root"), null, null, null), Clock.systemUTC(), null);
        assertTrue(store.capability(SignedUrls.class).isPresent());
        assertTrue(store.capability(SignedUrlVerifier.class).isPresent());
        assertTrue(root.resolve("new/root").toFile().isDirectory());
    }

    @Test
    void missingS3SettingsNameTheirVariable() {
        var noBucket = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        TestConfigs.config(false, root, null, null, "eu-west-1"), Clock.systemUTC(), null));
        assertTrue(noBucket.getMessage().startsWith("S3_BUCKET"), noBucket.getMessage());
        var noRegion = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        TestConfigs.config(false, root, null, "b", null), Clock.systemUTC(), null));
        assertTrue(noRegion.getMessage().startsWith("AWS_REGION"), noRegion.getMessage());
    }

    @Test
    void aShortSigningKeyIsRefusedByName() {
        var e = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        TestConfigs.config(true, root, "short", null, null), Clock.systemUTC(), null));
        assertEquals("REELVAULT_SIGNING_KEY must be at least 32 bytes", e.getMessage());
    }

    @Test
    void aMissingSigningKeyIsRefusedUnlessAThrowawayKeyIsAllowed() {
        var e = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        TestConfigs.config(true, root, null, null, false, null, null), Clock.systemUTC(), null));
        assertTrue(e.getMessage().startsWith("REELVAULT_SIGNING_KEY is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("REELVAULT_SIGNING_KEY_EPHEMERAL=true"), e.getMessage());
        assertTrue(ObjectStoreProducer.backend(
                        TestConfigs.config(true, root, null, null, true, null, null), Clock.systemUTC(), null)
                .capability(SignedUrls.class)
                .isPresent());
    }

    @Test
    void malformedPreviousKeysAreRefusedByNameWithoutTheSecret() {
        String key = "current-signing-key-0123456789abcdef";
        for (String previous : new String[] {
            "no-colon-secret-0123456789abcdef0123",
            "old:short",
            "bad id:old-signing-key-0123456789abcdef0123",
            "1:old-signing-key-0123456789abcdef0123"
        }) {
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> ObjectStoreProducer.backend(
                            TestConfigs.config(true, root, key, previous, false, null, null), Clock.systemUTC(), null));
            assertTrue(e.getMessage().startsWith("REELVAULT_SIGNING_KEYS_PREVIOUS"), e.getMessage());
            assertTrue(
                    !e.getMessage().contains("0123456789abcdef")
                            && !e.getMessage().contains("short"),
                    e.getMessage());
        }
    }

    @Test
    void anUnusableRootIsRefusedByName() throws Exception {
        Path file = Files.writeString(root.resolve("a-file"), "x");
        var e = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        TestConfigs.config(true, file, null, null, null), Clock.systemUTC(), null));
        assertTrue(e.getMessage().startsWith("LOCAL_STORAGE_PATH"), e.getMessage());
        assertTrue(!e.getMessage().contains("signing"), "no secret material in the message");
    }
}
