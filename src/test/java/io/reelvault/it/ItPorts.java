package io.reelvault.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Ports for the packaged application's listeners. The integration-test launcher sets only its HTTP port
 * ({@code quarkus.http.test-port}); the management interface (health, metrics) would take its fixed default 9000,
 * which parallel runs (and a local MinIO) share, so each test resource gives it a free port of its own.
 */
final class ItPorts {
    private ItPorts() {}

    /**
     * The HTTP port the launcher gives the application: {@code quarkus.http.test-port} (a Maven {@code -D}, which
     * failsafe passes on), else Quarkus' 8081.
     */
    static int http() {
        return Integer.getInteger("quarkus.http.test-port", 8081);
    }

    /** A port free now (the application binds it a moment later). */
    static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
