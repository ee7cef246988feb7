package io.reelvault.support.browser;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link BrowserProfile} with the web console on ({@code REELVAULT_CONSOLE_ENABLED}; the test profile leaves it off, as
 * production does) and user uploads up to 16 MiB in direct multipart parts of 5 MiB (S3's smallest), so that a file
 * over the console's 8 MiB threshold goes in parts.
 */
public class ConsoleBrowserProfile extends BrowserProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("reelvault.console.enabled", "true");
        config.put("reelvault.uploads.max-size", "16M");
        config.put("reelvault.uploads.multipart-part-size", "5M");
        return config;
    }
}
