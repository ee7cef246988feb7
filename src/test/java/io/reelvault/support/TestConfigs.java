package io.reelvault.support;

import io.quarkus.runtime.configuration.MemorySize;
import io.reelvault.config.ReelvaultConfig;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Hand-made {@link ReelvaultConfig}s for tests that build the storage or its cluster locks without Quarkus. */
public final class TestConfigs {
    private TestConfigs() {}

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

            public boolean inlineSmallReads() {
                return true;
            }

            public boolean directWrites() {
                return false;
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
            public Duration callTimeout() {
                return Duration.ofSeconds(10);
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

                    public MemorySize multipartPartSize() {
                        return new MemorySize(BigInteger.valueOf(8L * 1024 * 1024));
                    }

                    public boolean sweepEnabled() {
                        return false;
                    }

                    public Duration sweepInterval() {
                        return Duration.ofHours(1);
                    }

                    public Duration orphanGrace() {
                        return Duration.ofHours(1);
                    }

                    public Duration idleTimeout() {
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

            public Tus tus() {
                throw new UnsupportedOperationException("the producer reads no tus setting");
            }

            public Console console() {
                throw new UnsupportedOperationException("the producer reads no console setting");
            }

            public Lifecycle lifecycle() {
                return new Lifecycle() {
                    public boolean enabled() {
                        return true;
                    }

                    public Duration sweepInterval() {
                        return Duration.ofHours(1);
                    }

                    public int batchSize() {
                        return 1000;
                    }

                    public Duration maxClockSkew() {
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
}
