package io.reelvault.support.browser;

import io.reelvault.support.RateLimitProfile;
import java.util.HashMap;
import java.util.Map;

/** {@link BrowserS3Profile} with the small rate limits of {@link RateLimitProfile}. */
public class BrowserRateLimitS3Profile extends BrowserS3Profile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.putAll(new RateLimitProfile().getConfigOverrides());
        return config;
    }
}
