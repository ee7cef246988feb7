package io.reelvault.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Configuration of the packaged application (prod profile) for the integration tests. */
public class PackagedAppResource implements QuarkusTestResourceLifecycleManager {
    /** The management interface's port (health, metrics) of the application started with this resource. */
    static volatile int managementPort;

    @Override
    public Map<String, String> start() {
        managementPort = ItPorts.free();
        return Map.of(
                "quarkus.management.port",
                Integer.toString(managementPort),
                "mp.jwt.verify.publickey.location",
                ItKeys.publicKeyFile().toUri().toString(),
                "mp.jwt.verify.issuer",
                ItKeys.ISSUER,
                "mp.jwt.verify.audiences",
                ItKeys.AUDIENCE,
                "reelvault.uploads.max-size",
                "1G",
                "reelvault.storage.local.path",
                "target/it-storage",
                "reelvault.storage.local.signing-key",
                "integration-test-signing-key-0123456789",
                "reelvault.public-base-url",
                "http://localhost:" + ItPorts.http(),
                // the launcher stops the app with SIGTERM and waits 10 s at most: no pre-shutdown delay here
                // (GracefulShutdownIT runs the real shutdown settings)
                "quarkus.shutdown.delay",
                "0S");
    }

    @Override
    public void stop() {
        // the application process is stopped by Quarkus
    }
}
