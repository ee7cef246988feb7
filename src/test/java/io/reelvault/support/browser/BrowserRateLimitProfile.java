package io.reelvault.support.browser;

import io.reelvault.support.RateLimitProfile;
import java.util.HashMap;
import java.util.Map;

/** {@link BrowserProfile} with the small rate limits of {@link RateLimitProfile}: a page meets a 429 in a few calls. */
public class BrowserRateLimitProfile extends BrowserProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.putAll(new RateLimitProfile().getConfigOverrides());
        return config;
    }
}
