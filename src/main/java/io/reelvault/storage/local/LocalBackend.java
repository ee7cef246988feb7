package io.reelvault.storage.local;

import io.reelvault.config.ReelvaultConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/** Builds the local backend from its settings. */
public final class LocalBackend {
    private static final Logger LOG = Logger.getLogger(LocalBackend.class);

    private LocalBackend() {}

    /**
     * @throws IllegalStateException naming {@code REELVAULT_SIGNING_KEY} when the key is too short,
     *         or {@code LOCAL_STORAGE_PATH} when the root cannot be used
     */
    public static LocalObjectStore open(ReelvaultConfig.Local config, URI publicBaseUrl, Executor blocking, Clock clock) {
        byte[] secret;
        if (config.signingKey().isPresent()) {
            secret = config.signingKey().get().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalStateException("REELVAULT_SIGNING_KEY must be at least 32 bytes");
            }
        } else {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            LOG.warn("REELVAULT_SIGNING_KEY is not set: signed URLs use a random key made at start-up and stop"
                    + " working when the service restarts");
        }
        try {
            LocalObjectStore store = LocalObjectStore.open(config.path(), blocking,
                    new LocalUrlSigner(secret, publicBaseUrl, clock));
            LOG.infof("local storage at %s", config.path().toAbsolutePath().normalize());
            return store;
        } catch (RuntimeException e) {
            throw new IllegalStateException("LOCAL_STORAGE_PATH " + config.path() + " cannot be used as the storage root: "
                    + e.getMessage(), e);
        }
    }
}
