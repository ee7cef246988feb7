package io.reelvault.support.browser;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link BrowserProfile} with user uploads up to {@value #MAX_SIZE} (the test profile's 2M, and the default 50M, are
 * below the 120 MB file the Uppy test uploads) in parts of the default size (8 MiB), and the signed storage URLs
 * through a fault proxy ({@link StorageFaultProxyResource}).
 */
public class BrowserMultipartProfile extends BrowserProfile {
    public static final String MAX_SIZE = "128M";

    @Override
    public Map<String, String> getConfigOverrides() {
        return withLargeUploads(super.getConfigOverrides());
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(StorageFaultProxyResource.class));
    }

    static Map<String, String> withLargeUploads(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(overrides);
        config.put("reelvault.uploads.max-size", MAX_SIZE);
        config.remove("reelvault.uploads.multipart-part-size");
        return config;
    }
}
