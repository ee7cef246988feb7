package io.reelvault.support;

import io.quarkus.runtime.configuration.MemorySize;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.storage.local.LocalBackend;
import io.reelvault.storage.local.LocalObjectStore;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;

/** The real local backend on a test's own root, for unit tests that need a store without Quarkus. */
public final class LocalRoots {
    private LocalRoots() {}

    public static LocalObjectStore open(Path root, Executor pool, Clock clock) {
        return open(root, pool, clock, true);
    }

    /** @param inlineSmallReads {@code REELVAULT_STORAGE_LOCAL_INLINE_SMALL_READS} */
    public static LocalObjectStore open(Path root, Executor pool, Clock clock, boolean inlineSmallReads) {
        return LocalBackend.open(
                new ReelvaultConfig.Local() {
                    public Path path() {
                        return root;
                    }

                    public Optional<String> signingKey() {
                        return Optional.of("local-test-signing-key-0123456789abcdef");
                    }

                    public String signingKeyId() {
                        return "1";
                    }

                    public Optional<String> signingKeysPrevious() {
                        return Optional.empty();
                    }

                    public boolean signingKeyEphemeral() {
                        return false;
                    }

                    public MemorySize minFree() {
                        return new MemorySize(BigInteger.ZERO);
                    }

                    public boolean inlineSmallReads() {
                        return inlineSmallReads;
                    }

                    public boolean directWrites() {
                        return false;
                    }
                },
                URI.create("http://localhost:8080"),
                pool,
                clock);
    }
}
