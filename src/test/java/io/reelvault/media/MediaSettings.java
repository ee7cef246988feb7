package io.reelvault.media;

import io.reelvault.config.ReelvaultConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Media settings for tests, built without Quarkus. */
record MediaSettings(
        boolean enabled,
        Optional<Path> ffmpegPath,
        Optional<Path> ffprobePath,
        int workers,
        int queue,
        Duration timeout,
        Duration probeTimeout,
        Path workDir)
        implements ReelvaultConfig.Media {

    /** The defaults, binaries found on PATH, compression files in {@code workDir}. */
    static MediaSettings defaults(Path workDir) {
        return new MediaSettings(
                true,
                Optional.empty(),
                Optional.empty(),
                2,
                64,
                Duration.ofMinutes(2),
                Duration.ofSeconds(60),
                workDir);
    }

    MediaSettings withPool(int workers, int queue) {
        return new MediaSettings(enabled, ffmpegPath, ffprobePath, workers, queue, timeout, probeTimeout, workDir);
    }

    MediaSettings withTimeout(Duration timeout) {
        return new MediaSettings(enabled, ffmpegPath, ffprobePath, workers, queue, timeout, probeTimeout, workDir);
    }

    MediaSettings withFfmpeg(Path ffmpeg) {
        return new MediaSettings(
                enabled, Optional.of(ffmpeg), ffprobePath, workers, queue, timeout, probeTimeout, workDir);
    }

    MediaSettings disabled() {
        return new MediaSettings(false, ffmpegPath, ffprobePath, workers, queue, timeout, probeTimeout, workDir);
    }
}
