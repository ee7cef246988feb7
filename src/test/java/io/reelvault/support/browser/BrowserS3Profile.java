package io.reelvault.support.browser;

import io.reelvault.support.S3ProxyResource;
import java.util.List;
import java.util.Map;

/**
 * The S3 backend on s3proxy, whose CORS rule is the shipped one ({@code deploy/s3-cors-config.json}) for the allowed
 * page origin, as {@code bucket setup} writes it from {@code ALLOWED_ORIGINS}; with the production default of SSE-S3,
 * so that a presigned PUT requires {@code x-amz-server-side-encryption} and {@code If-None-Match} of the browser.
 */
public class BrowserS3Profile extends BrowserProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(
                S3ProxyResource.class,
                Map.of(
                        S3ProxyResource.CORS_ORIGIN,
                        PageOrigins.allowed().origin(),
                        S3ProxyResource.ENCRYPTED,
                        "true")));
    }
}
