package io.reelvault.support.browser;

import io.reelvault.support.S3ProxyResource;
import java.util.List;
import java.util.Map;

/**
 * {@link BrowserS3Profile} (s3proxy with the shipped CORS rule, SSE-S3) with the large uploads of
 * {@link BrowserMultipartProfile}, and s3proxy reached through a fault proxy ({@link S3ProxyResource#faultProxy()}):
 * the URLs the service presigns name it, so a page's part PUTs pass through it.
 */
public class BrowserMultipartS3Profile extends BrowserS3Profile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return BrowserMultipartProfile.withLargeUploads(super.getConfigOverrides());
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(
                S3ProxyResource.class,
                Map.of(
                        S3ProxyResource.CORS_ORIGIN,
                        PageOrigins.allowed().origin(),
                        S3ProxyResource.ENCRYPTED,
                        "true",
                        S3ProxyResource.FAULT_PROXY,
                        "true")));
    }
}
