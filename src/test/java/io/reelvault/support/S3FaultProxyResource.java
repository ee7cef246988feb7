package io.reelvault.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * s3proxy on its {@code transient} store (the one that implements server-side encryption) behind an
 * {@link S3FaultProxy}: the service reaches S3 only through the proxy, and writes with the production default,
 * {@code REELVAULT_STORAGE_S3_SERVER_SIDE_ENCRYPTION=AES256}. Multipart from 6 MiB in 5 MiB parts, so that an API
 * body of a few MiB makes several parts.
 */
public class S3FaultProxyResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "reelvault-faults";
    private static S3ProxyServer server;
    private static S3FaultProxy proxy;

    public static S3ProxyServer server() {
        return server;
    }

    public static S3FaultProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = S3ProxyServer.inMemory().start();
            server.createBucket(BUCKET);
            proxy = new S3FaultProxy(server.endpoint());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy and its fault proxy", e);
        }
        Map<String, String> config = new HashMap<>(server.serviceConfig(BUCKET));
        config.put("quarkus.s3.endpoint-override", proxy.endpoint().toString());
        config.put("reelvault.storage.s3.server-side-encryption", "AES256");
        config.put("reelvault.storage.s3.multipart-threshold", "6M");
        config.put("reelvault.storage.s3.part-size", "5M");
        return config;
    }

    @Override
    public void stop() {
        try {
            proxy.close();
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
