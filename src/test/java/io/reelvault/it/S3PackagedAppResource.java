package io.reelvault.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.reelvault.support.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The packaged application (prod profile) on the S3 backend: s3proxy on its filesystem store under
 * {@code target/}, inside the IT's JVM, SigV4 checked. The heap of the application under test is not
 * set here: the launcher reads {@code quarkus.test.arg-line} once per JVM, so neither this resource's
 * config nor a test profile can change it; pom.xml's failsafe execution {@code heap-96m} sets it.
 */
public class S3PackagedAppResource implements QuarkusTestResourceLifecycleManager {
    static final String BUCKET = "reelvault-it";
    /** Part buffers of all uploads: 10 MiB parts (+1 KiB of accounting each), so 4 in flight at once. */
    static final String BUFFER_BUDGET = "41M";

    private static S3ProxyServer server;
    private Path data;

    @Override
    public Map<String, String> start() {
        try {
            data = Files.createDirectories(Path.of("target")).resolve("s3proxy-it-" + System.nanoTime()).toAbsolutePath();
            server = new S3ProxyServer(data).start();
            server.createBucket(BUCKET);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy", e);
        }
        return Map.ofEntries(
                Map.entry("mp.jwt.verify.publickey.location", ItKeys.publicKeyFile().toUri().toString()),
                Map.entry("mp.jwt.verify.issuer", ItKeys.ISSUER),
                Map.entry("reelvault.uploads.max-size", "2G"),
                Map.entry("reelvault.storage.use-local", "false"),
                Map.entry("reelvault.storage.s3.bucket", BUCKET),
                Map.entry("reelvault.storage.s3.region", S3ProxyServer.REGION),
                Map.entry("reelvault.storage.s3.server-side-encryption", "none"), // s3proxy's filesystem store has none
                Map.entry("reelvault.storage.s3.buffer-budget", BUFFER_BUDGET),
                Map.entry("quarkus.s3.endpoint-override", server.endpoint().toString()),
                Map.entry("quarkus.s3.path-style-access", "true"),
                Map.entry("quarkus.s3.aws.region", S3ProxyServer.REGION),
                Map.entry("quarkus.s3.aws.credentials.type", "static"),
                Map.entry("quarkus.s3.aws.credentials.static-provider.access-key-id", S3ProxyServer.ACCESS_KEY),
                Map.entry("quarkus.s3.aws.credentials.static-provider.secret-access-key", S3ProxyServer.SECRET_KEY));
    }

    /** A client of the test's s3proxy, for what the API cannot show (uploads in progress, raw listings). */
    static S3AsyncClient client() {
        return server.client();
    }

    @Override
    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            server = null;
            deleteTree(data); // the objects are big
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
