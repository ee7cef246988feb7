package io.reelvault.support.browser;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The local backend, with {@code ALLOWED_ORIGINS} naming the allowed page origin of {@link PageOrigins} (and not
 * the other one).
 */
public class BrowserProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("ALLOWED_ORIGINS", PageOrigins.allowed().origin());
    }
}
