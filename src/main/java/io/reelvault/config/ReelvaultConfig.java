package io.reelvault.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every setting of reelvault. Environment names: the seed's ({@code USE_LOCAL_STORAGE},
 * {@code LOCAL_STORAGE_PATH}, {@code S3_BUCKET}, {@code AWS_REGION}) are mapped in
 * {@code application.properties}; the others follow the usual rule ({@code reelvault.uploads.max-size}
 * is {@code REELVAULT_UPLOADS_MAX_SIZE}). The README's table lists them all.
 */
@ConfigMapping(prefix = "reelvault")
public interface ReelvaultConfig {

    Storage storage();

    Uploads uploads();

    /**
     * The base URL clients reach this service at, used to build signed URLs of the local backend
     * (e.g. {@code https://vault.example.com}). Env {@code REELVAULT_PUBLIC_BASE_URL}; default
     * {@code http://localhost:8080}.
     */
    @WithName("public-base-url")
    URI publicBaseUrl();

    interface Storage {
        /** {@code USE_LOCAL_STORAGE}: true stores on the local filesystem, false on S3. Default true. */
        @WithDefault("true")
        boolean useLocal();

        Local local();

        S3 s3();
    }

    interface Local {
        /** {@code LOCAL_STORAGE_PATH}: the storage root folder, created if missing. Default {@code ./storage}. */
        @WithDefault("./storage")
        Path path();

        /**
         * {@code REELVAULT_SIGNING_KEY}: the HMAC-SHA256 key for signed URLs, at least 32 bytes
         * (UTF-8). When absent a random key is made at each start (URLs then die with the process)
         * and a warning is logged. Never logged or echoed.
         */
        Optional<String> signingKey();
    }

    interface S3 {
        /** {@code S3_BUCKET}: the bucket; required when {@code USE_LOCAL_STORAGE=false}. */
        Optional<String> bucket();

        /** {@code AWS_REGION}: the bucket's region; required when {@code USE_LOCAL_STORAGE=false}. */
        Optional<String> region();
    }

    interface Uploads {
        /**
         * {@code REELVAULT_UPLOADS_MAX_SIZE}: the largest user upload, e.g. {@code 50M} (default).
         * Enforced as bytes arrive, and before reading when Content-Length already exceeds it.
         */
        @WithDefault("50M")
        MemorySize maxSize();
    }
}
