package io.reelvault.support.browser;

import io.reelvault.support.S3ProxyResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ConsoleBrowserProfile} on the S3 backend (s3proxy with the shipped CORS rule, SSE-S3 as in production). The
 * console's page runs in the service's own origin, so that origin is the one the bucket's rule allows: the service
 * listens on a port chosen here (one per test JVM, kept in a system property (outside the reelvault.* names the configuration validates) so that every class loader of the
 * profile agrees) instead of a random one.
 */
public class ConsoleBrowserS3Profile extends ConsoleBrowserProfile {
    static final String PORT_PROPERTY = "console-browser-s3-test.port";

    static synchronized int port() {
        String chosen = System.getProperty(PORT_PROPERTY);
        if (chosen == null) {
            try (ServerSocket socket = new ServerSocket(0)) {
                chosen = Integer.toString(socket.getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.setProperty(PORT_PROPERTY, chosen);
        }
        return Integer.parseInt(chosen);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("quarkus.http.test-port", Integer.toString(port()));
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(
                S3ProxyResource.class,
                Map.of(S3ProxyResource.CORS_ORIGIN, "http://localhost:" + port(), S3ProxyResource.ENCRYPTED, "true")));
    }
}
