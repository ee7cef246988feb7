package io.reelvault.support.browser;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.reelvault.support.S3FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Local backend: an {@link S3FaultProxy} (a plain HTTP/1.1 fault proxy) in front of the service, named by
 * {@code REELVAULT_PUBLIC_BASE_URL}, so that the signed {@code /storage/} URLs a page PUTs parts to pass through it
 * (as through a load balancer) and a test can reset one in the middle of its body. The service's port is known only
 * once it runs: the test names it with {@code proxy().upstream(...)} before the page sends anything.
 */
public class StorageFaultProxyResource implements QuarkusTestResourceLifecycleManager {
    private static S3FaultProxy proxy;

    public static S3FaultProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        try {
            proxy = S3FaultProxy.forLater();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "reelvault.public-base-url",
                "http://localhost:" + proxy.endpoint().getPort());
    }

    @Override
    public void stop() {
        try {
            proxy.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
