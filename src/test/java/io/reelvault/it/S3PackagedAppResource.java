package io.reelvault.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.reelvault.support.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
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
    /**
     * Part buffers of all uploads: two 10 MiB parts in flight (each reserves 10 MiB + 1 KiB). Not four
     * (41M): the heap holds about twice the budget plus two parts today (the SDK's
     * {@code AsyncRequestBody.fromBytes} copies every part; the first part and the previous one stay
     * referenced), and with 41M the app ran out of its 96 MB once the client outran s3proxy.
     */
    static final String BUFFER_BUDGET = "21M";

    private static S3ProxyServer server;
    /** The management interface's port (health, metrics) of the application started with this resource. */
    static volatile int managementPort;

    private Path data;

    @Override
    public Map<String, String> start() {
        try {
            data = Files.createDirectories(Path.of("target"))
                    .resolve("s3proxy-it-" + System.nanoTime())
                    .toAbsolutePath();
            server = new S3ProxyServer(data).start();
            server.createBucket(BUCKET);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy", e);
        }
        Map<String, String> config = new HashMap<>(server.serviceConfig(BUCKET));
        config.put(
                "mp.jwt.verify.publickey.location",
                ItKeys.publicKeyFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", ItKeys.ISSUER);
        config.put("mp.jwt.verify.audiences", ItKeys.AUDIENCE);
        config.put("reelvault.uploads.max-size", "2G");
        config.put("reelvault.storage.s3.buffer-budget", BUFFER_BUDGET);
        config.put("quarkus.shutdown.delay", "0S"); // stopped by the launcher with SIGTERM: see PackagedAppResource
        managementPort = ItPorts.free();
        config.put("quarkus.management.port", Integer.toString(managementPort));
        ItPorts.http(); // the HTTP port is chosen before the launcher reads it
        return config;
    }

    /** The test's s3proxy, for what the API cannot show (uploads in progress). */
    static S3ProxyServer server() {
        return server;
    }

    /** A client of the test's s3proxy, for what the API cannot show (raw listings). */
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
