package io.reelvault.support.browser;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link BrowserProfile} with user uploads up to {@value #MAX_SIZE} (the test profile's 2M, and the default 50M, are
 * below the 120 MB file the Uppy test uploads).
 */
public class BrowserMultipartProfile extends BrowserProfile {
    public static final String MAX_SIZE = "128M";

    @Override
    public Map<String, String> getConfigOverrides() {
        return withLargeUploads(super.getConfigOverrides());
    }

    static Map<String, String> withLargeUploads(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(overrides);
        config.put("reelvault.uploads.max-size", MAX_SIZE);
        return config;
    }
}
