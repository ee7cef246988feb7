package io.reelvault.support.browser;

import io.reelvault.support.S3ProxyResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link BrowserProfile} on the S3 backend: s3proxy with the shipped CORS rule and SSE-S3 (as in production). The
 * bucket's rule allows the allowed page origin and the service's own origin, which the console's page runs in: so the
 * service listens on a port chosen here (one per test JVM, kept in a system property (outside the reelvault.* names
 * the configuration validates) so that every class loader of the profile agrees) instead of a random one.
 */
public class BrowserS3Profile extends BrowserProfile {
    static final String PORT_PROPERTY = "browser-s3-test.port";

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

    /** The origin of the service's own pages (the console's). */
    static String serviceOrigin() {
        return "http://localhost:" + port();
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
                Map.of(
                        S3ProxyResource.CORS_ORIGIN,
                        PageOrigins.allowed().origin() + "," + serviceOrigin(),
                        S3ProxyResource.ENCRYPTED,
                        "true")));
    }
}
