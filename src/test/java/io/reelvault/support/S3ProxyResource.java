package io.reelvault.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts s3proxy for a @QuarkusTest profile and points the service's S3 backend at it. */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "reelvault-test";
    private static S3ProxyServer server;

    /** The running server (for assertions the API cannot make, such as uploads in progress). */
    public static S3ProxyServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path data = Files.createDirectories(Path.of("target")).resolve("s3proxy-" + System.nanoTime());
            server = new S3ProxyServer(data).start();
            server.createBucket(BUCKET);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy", e);
        }
        return server.serviceConfig(BUCKET);
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
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
