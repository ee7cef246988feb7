package io.reelvault.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts s3proxy for a @QuarkusTest profile and points the service's S3 backend at it. With the init argument
 * {@value #CORS_ORIGIN} (origins), s3proxy answers browsers with the bucket's shipped CORS rule for that origin
 * ({@link S3Cors}).
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "reelvault-test";
    /**
     * Init argument: the origins the shipped CORS rule allows, separated by commas (as {@code ALLOWED_ORIGINS} names
     * them in bucket setup).
     */
    public static final String CORS_ORIGIN = "cors-origin";
    /**
     * Init argument {@code true}: the production default, SSE-S3 ({@code AES256}) requested on every write, presigned
     * PUTs included; s3proxy then keeps its objects in memory (its {@code transient} store, the one with encryption).
     */
    public static final String ENCRYPTED = "encrypted";

    /**
     * Init argument {@code true}: the service (and so every URL it presigns) reaches s3proxy through an
     * {@link S3FaultProxy} ({@link #faultProxy()}), which can reset a request in the middle of its body.
     */
    public static final String FAULT_PROXY = "fault-proxy";

    private static S3ProxyServer server;
    private static S3FaultProxy proxy;
    private List<String> corsOrigins;
    private boolean encrypted;
    private boolean proxied;

    @Override
    public void init(Map<String, String> initArgs) {
        String origins = initArgs.get(CORS_ORIGIN);
        corsOrigins = origins == null ? null : List.of(origins.split(","));
        encrypted = Boolean.parseBoolean(initArgs.get(ENCRYPTED));
        proxied = Boolean.parseBoolean(initArgs.get(FAULT_PROXY));
    }

    /** The fault proxy in front of s3proxy, with the init argument {@value #FAULT_PROXY}; null otherwise. */
    public static S3FaultProxy faultProxy() {
        return proxy;
    }

    /** The running server (for assertions the API cannot make, such as uploads in progress). */
    public static S3ProxyServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path data = Files.createDirectories(Path.of("target")).resolve("s3proxy-" + System.nanoTime());
            server = encrypted ? S3ProxyServer.inMemory() : new S3ProxyServer(data);
            if (corsOrigins != null) {
                server.cors(S3Cors.shippedRuleFor(corsOrigins));
            }
            server.start();
            server.createBucket(BUCKET);
            proxy = proxied ? new S3FaultProxy(server.endpoint()) : null;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy", e);
        }
        Map<String, String> config = new HashMap<>(server.serviceConfig(BUCKET));
        if (proxy != null) {
            config.put("quarkus.s3.endpoint-override", proxy.endpoint().toString());
        }
        if (encrypted) {
            config.put("reelvault.storage.s3.server-side-encryption", "AES256");
        }
        return config;
    }

    /**
     * Multipart uploads still in progress in the test bucket, but those of resumable (tus) uploads under {@code .tus/}:
     * an unfinished tus upload is a multipart upload in progress by design, not a write left behind.
     */
    public static int uploadsInProgress() {
        return (int) server.uploadsInProgress(BUCKET).stream()
                .filter(u -> !u.key().startsWith(".tus/"))
                .count();
    }

    /** Multipart uploads still in progress in the test bucket whose keys start with {@code prefix}. */
    public static long uploadsInProgress(String prefix) {
        return server.uploadsInProgress(BUCKET).stream()
                .filter(u -> u.key().startsWith(prefix))
                .count();
    }

    @Override
    public void stop() {
        try {
            if (proxy != null) {
                proxy.close();
                proxy = null;
            }
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
