package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The similar-generation cache shared by every user ({@code REELVAULT_CACHE_SCOPE=global}); in-process cache. */
public class GlobalCacheScopeProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("reelvault.cache.scope", "global");
    }
}
