package io.reelvault.support;

import java.util.List;

/** {@link TusClientProfile} on the S3 backend (s3proxy over HTTP). */
public class TusClientS3Profile extends TusClientProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class));
    }
}
