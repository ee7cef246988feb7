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
     * The HTTP port the launcher gives the application: {@code quarkus.http.test-port} when a Maven {@code -D} sets it
     * (failsafe passes it on), else a free port chosen once for this JVM, never Quarkus' fixed 8081 that parallel
     * runs share. The choice is set as {@code quarkus.http.test-port} for the launcher, which reads it after the test
     * resources started: so each resource calls this in its {@code start()}, before the application is launched.
     */
    static synchronized int http() {
        Integer given = Integer.getInteger("quarkus.http.test-port");
        if (given != null && given != 0) {
            return given;
        }
        int port = free();
        System.setProperty("quarkus.http.test-port", Integer.toString(port));
        return port;
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
