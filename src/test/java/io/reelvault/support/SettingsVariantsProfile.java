package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Several settings away from the test profile at once, each one what a single class checks: HTTP compression on
 * ({@code ZeroCopyFallbackApiTest}: downloads fall back from zero-copy), an upload idle timeout of {@value #IDLE_TIMEOUT}
 * ({@code SlowBodiesApiTest}), the similar-generation cache shared by every user ({@code REELVAULT_CACHE_SCOPE=global},
 * {@code GenerationReuseGlobalScopeApiTest}) and a rotated signing key ({@code SigningKeyRotationApiTest}: key 2 signs,
 * key 1, the test profile's usual {@link SignedUrlForms#TEST_KEY}, still verifies).
 *
 * <p>One profile rather than four: each test profile costs the suite a Quarkus build and a start, and none of these
 * settings changes what the other classes check (their prompts, users and uploads are their own; the URLs they follow
 * are the ones the service signs).
 */
public class SettingsVariantsProfile implements QuarkusTestProfile {
    /** How long an upload's body may send nothing before it is cut with 408. */
    public static final String IDLE_TIMEOUT = "1s";

    /** The signing key after the rotation (id 2). */
    public static final String ROTATED_SIGNING_KEY = "rotated-signing-key-0123456789abcdef-not-secret";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.http.enable-compression",
                "true",
                "reelvault.uploads.idle-timeout",
                IDLE_TIMEOUT,
                "reelvault.cache.scope",
                "global",
                "reelvault.storage.local.signing-key",
                ROTATED_SIGNING_KEY,
                "reelvault.storage.local.signing-key-id",
                "2",
                "reelvault.storage.local.signing-keys-previous",
                "1:" + SignedUrlForms.TEST_KEY);
    }
}
