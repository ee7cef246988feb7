package io.reelvault.storage.local;

import io.reelvault.config.ReelvaultConfig;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Builds the local backend from its settings. */
public final class LocalBackend {
    private static final Logger LOG = Logger.getLogger(LocalBackend.class);

    private LocalBackend() {}

    /**
     * @throws IllegalStateException naming {@code REELVAULT_SIGNING_KEY} when the key is missing (and no throwaway key
     *         is allowed) or too short, another {@code REELVAULT_SIGNING_KEY*} variable when it is malformed, or
     *         {@code LOCAL_STORAGE_PATH} when the root cannot be used
     */
    public static LocalObjectStore open(
            ReelvaultConfig.Local config, URI publicBaseUrl, Executor blocking, Clock clock) {
        return open(config, () -> publicBaseUrl, blocking, clock);
    }

    /** @param publicBaseUrl read for each URL signed ({@code PublicBaseUrl}: port 0 is the listening port) */
    public static LocalObjectStore open(
            ReelvaultConfig.Local config, Supplier<URI> publicBaseUrl, Executor blocking, Clock clock) {
        SigningKeys keys = SigningKeys.fromSettings(
                config.signingKey(), config.signingKeyId(), config.signingKeysPrevious(), config.signingKeyEphemeral());
        if (config.signingKey().isEmpty()) {
            LOG.warn(
                    "REELVAULT_SIGNING_KEY is not set and REELVAULT_SIGNING_KEY_EPHEMERAL=true: signed URLs use a random"
                            + " key made at start-up; they stop working when the service restarts and other replicas refuse them");
        }
        try {
            LocalObjectStore store = LocalObjectStore.open(
                    config.path(),
                    blocking,
                    new LocalUrlSigner(keys, publicBaseUrl, clock),
                    config.minFree().asLongValue(),
                    config.inlineSmallReads(),
                    config.directWrites());
            LOG.infof("local storage at %s", config.path().toAbsolutePath().normalize());
            return store;
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "LOCAL_STORAGE_PATH " + config.path() + " cannot be used as the storage root: " + e.getMessage(),
                    e);
        }
    }
}
