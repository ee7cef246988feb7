package io.reelvault.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.MemorySize;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.SignedUrlVerifier;
import io.reelvault.storage.SignedUrls;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer picks the backend from config and names the variable when a setting is missing. */
public class ObjectStoreProducerTest {
    @TempDir
    Path root;

    /** Without a signing key, a throwaway one is allowed ({@code REELVAULT_SIGNING_KEY_EPHEMERAL=true}). */
    public static ReelvaultConfig config(boolean local, Path path, String signingKey, String bucket, String region) {
        return config(local, path, signingKey, null, signingKey == null, bucket, region);
    }

    public static ReelvaultConfig config(
            boolean local,
            Path path,
            String signingKey,
            String previousKeys,
            boolean ephemeral,
            String bucket,
            String region) {
        ReelvaultConfig.Local l = new ReelvaultConfig.Local() {
            public Path path() {
                return path;
            }

            public Optional<String> signingKey() {
                return Optional.ofNullable(signingKey);
            }

            public String signingKeyId() {
                return "1";
            }

            public Optional<String> signingKeysPrevious() {
                return Optional.ofNullable(previousKeys);
            }

            public boolean signingKeyEphemeral() {
                return ephemeral;
            }

            public MemorySize minFree() {
                return new MemorySize(BigInteger.ZERO);
            }
        };
        ReelvaultConfig.S3 s3 = new ReelvaultConfig.S3() {
            public Optional<String> bucket() {
                return Optional.ofNullable(bucket);
            }

            public Optional<String> region() {
                return Optional.ofNullable(region);
            }

            public MemorySize multipartThreshold() {
                return new MemorySize(BigInteger.valueOf(100L << 20));
            }

            public MemorySize partSize() {
                return new MemorySize(BigInteger.valueOf(10L << 20));
            }

            public int partConcurrency() {
                return 10;
            }

            public MemorySize bufferBudget() {
                return new MemorySize(BigInteger.valueOf(128L << 20));
            }

            public String serverSideEncryption() {
                return "AES256";
            }

            public boolean versioning() {
                return false;
            }

            @Override
            public java.time.Duration callTimeout() {
                return java.time.Duration.ofSeconds(10);
            }
        };
        ReelvaultConfig.Storage storage = new ReelvaultConfig.Storage() {
            public boolean useLocal() {
                return local;
            }

            public ReelvaultConfig.Local local() {
                return l;
            }

            public ReelvaultConfig.S3 s3() {
                return s3;
            }

            public Duration incompleteWriteGrace() {
                return Duration.ofHours(1);
            }

            public Duration incompleteWriteSweepInterval() {
                return Duration.ofMinutes(15);
            }

            public boolean incompleteWriteSweepEnabled() {
                return false;
            }
        };
        return new ReelvaultConfig() {
            public Storage storage() {
                return storage;
            }

            public Uploads uploads() {
                return new Uploads() {
                    public MemorySize maxSize() {
                        return new MemorySize(BigInteger.valueOf(1024));
                    }

                    public boolean sweepEnabled() {
                        return false;
                    }

                    public java.time.Duration sweepInterval() {
                        return Duration.ofHours(1);
                    }

                    public java.time.Duration orphanGrace() {
                        return Duration.ofHours(1);
                    }

                    public java.time.Duration idleTimeout() {
                        return Duration.ofSeconds(60);
                    }

                    public int maxConcurrentPerCaller() {
                        return 8;
                    }

                    public int maxConcurrentPerPipelineCaller() {
                        return 64;
                    }
                };
            }

            public Media media() {
                throw new UnsupportedOperationException("the producer reads no media setting");
            }

            public Scrub scrub() {
                throw new UnsupportedOperationException("the producer reads no scrub setting");
            }

            public Query query() {
                throw new UnsupportedOperationException("the producer reads no query setting");
            }

            public Lifecycle lifecycle() {
                return new Lifecycle() {
                    public boolean enabled() {
                        return true;
                    }

                    public java.time.Duration sweepInterval() {
                        return Duration.ofHours(1);
                    }

                    public int batchSize() {
                        return 1000;
                    }

                    public java.time.Duration maxClockSkew() {
                        return Duration.ofDays(1);
                    }
                };
            }

            public Usage usage() {
                throw new UnsupportedOperationException("not read by the producer");
            }

            public Redis redis() {
                throw new UnsupportedOperationException("not read by the producer");
            }

            public RateLimits rateLimits() {
                throw new UnsupportedOperationException("not read by the producer");
            }

            public Cache cache() {
                throw new UnsupportedOperationException("not read by the producer");
            }

            public URI publicBaseUrl() {
                return URI.create("http://localhost:8080");
            }

            public Pipeline pipeline() {
                throw new UnsupportedOperationException("not read by the producer");
            }
        };
    }

    @Test
    void localIsTheDefaultBackendAndCreatesItsRoot() {
        ObjectStore store = ObjectStoreProducer.backend(
                config(true, root.resolve("new/root"), null, null, null), Clock.systemUTC(), null);
        assertTrue(store.capability(SignedUrls.class).isPresent());
        assertTrue(store.capability(SignedUrlVerifier.class).isPresent());
        assertTrue(root.resolve("new/root").toFile().isDirectory());
    }

    @Test
    void missingS3SettingsNameTheirVariable() {
        var noBucket = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        config(false, root, null, null, "eu-west-1"), Clock.systemUTC(), null));
        assertTrue(noBucket.getMessage().startsWith("S3_BUCKET"), noBucket.getMessage());
        var noRegion = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(config(false, root, null, "b", null), Clock.systemUTC(), null));
        assertTrue(noRegion.getMessage().startsWith("AWS_REGION"), noRegion.getMessage());
    }

    @Test
    void aShortSigningKeyIsRefusedByName() {
        var e = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(config(true, root, "short", null, null), Clock.systemUTC(), null));
        assertEquals("REELVAULT_SIGNING_KEY must be at least 32 bytes", e.getMessage());
    }

    @Test
    void aMissingSigningKeyIsRefusedUnlessAThrowawayKeyIsAllowed() {
        var e = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(
                        config(true, root, null, null, false, null, null), Clock.systemUTC(), null));
        assertTrue(e.getMessage().startsWith("REELVAULT_SIGNING_KEY is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("REELVAULT_SIGNING_KEY_EPHEMERAL=true"), e.getMessage());
        assertTrue(
                ObjectStoreProducer.backend(config(true, root, null, null, true, null, null), Clock.systemUTC(), null)
                        .capability(SignedUrls.class)
                        .isPresent());
    }

    @Test
    void malformedPreviousKeysAreRefusedByNameWithoutTheSecret() {
        String key = "current-signing-key-0123456789abcdef";
        for (String previous : new String[] {
            "no-colon-secret-0123456789abcdef0123",
            "old:short",
            "bad id:old-signing-key-0123456789abcdef0123",
            "1:old-signing-key-0123456789abcdef0123"
        }) {
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> ObjectStoreProducer.backend(
                            config(true, root, key, previous, false, null, null), Clock.systemUTC(), null));
            assertTrue(e.getMessage().startsWith("REELVAULT_SIGNING_KEYS_PREVIOUS"), e.getMessage());
            assertTrue(
                    !e.getMessage().contains("0123456789abcdef")
                            && !e.getMessage().contains("short"),
                    e.getMessage());
        }
    }

    @Test
    void anUnusableRootIsRefusedByName() throws Exception {
        Path file = java.nio.file.Files.writeString(root.resolve("a-file"), "x");
        var e = assertThrows(
                IllegalStateException.class,
                () -> ObjectStoreProducer.backend(config(true, file, null, null, null), Clock.systemUTC(), null));
        assertTrue(e.getMessage().startsWith("LOCAL_STORAGE_PATH"), e.getMessage());
        assertTrue(!e.getMessage().contains("signing"), "no secret material in the message");
    }
}
