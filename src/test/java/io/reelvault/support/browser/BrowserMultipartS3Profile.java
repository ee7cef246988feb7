package io.reelvault.support.browser;

import java.util.Map;

/** {@link BrowserS3Profile} (s3proxy with the shipped CORS rule, SSE-S3) with the large uploads of {@link BrowserMultipartProfile}. */
public class BrowserMultipartS3Profile extends BrowserS3Profile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return BrowserMultipartProfile.withLargeUploads(super.getConfigOverrides());
    }
}
