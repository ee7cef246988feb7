package io.reelvault.support;

import java.util.List;

/** {@link MultipartProfile} on the S3 backend (s3proxy over HTTP, SigV4 checked). */
public class MultipartS3Profile extends MultipartProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3ProxyResource.class));
    }
}
