package io.reelvault.storage.local;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.metrics.StorageMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Path;

/**
 * The disk under the local storage root, as two gauges read at each scrape (one {@code statfs} call each):
 * {@value StorageMetrics#LOCAL_FREE} (bytes this process may still write, {@link FileStore#getUsableSpace()},
 * what {@code df} calls available) and {@value StorageMetrics#LOCAL_CAPACITY} ({@link FileStore#getTotalSpace()}).
 * Registered only when the local backend serves (not on S3, not in an operator command). A filesystem that
 * cannot be read shows NaN; the alert rules treat a missing value as no data, never as a full disk.
 */
@Startup
@Singleton
public class LocalDiskMeter {
    private final RootFileStore disk;

    @Inject
    LocalDiskMeter(ReelvaultConfig config, CommandMode commandMode, MeterRegistry registry) {
        this(config.storage().local().path(), registry, config.storage().useLocal() && !commandMode.active());
    }

    /** A meter of the filesystem holding {@code root}, for direct use (tests). */
    public LocalDiskMeter(Path root, MeterRegistry registry) {
        this(root, registry, true);
    }

    private LocalDiskMeter(Path root, MeterRegistry registry, boolean active) {
        this.disk = new RootFileStore(root);
        if (active) {
            Gauge.builder(StorageMetrics.LOCAL_FREE, this, m -> m.read(FileStore::getUsableSpace))
                    .baseUnit("bytes")
                    .description("Bytes the service may still write on the filesystem of the local storage root")
                    .register(registry);
            Gauge.builder(StorageMetrics.LOCAL_CAPACITY, this, m -> m.read(FileStore::getTotalSpace))
                    .baseUnit("bytes")
                    .description("Size of the filesystem of the local storage root")
                    .register(registry);
        }
    }

    private double read(IoLong value) {
        try {
            return value.applyAsLong(disk.get()); // the root exists once the backend is open
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    @FunctionalInterface
    private interface IoLong {
        long applyAsLong(FileStore store) throws IOException;
    }
}
