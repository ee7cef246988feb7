package io.reelvault.media;

import io.quarkus.runtime.StartupEvent;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.media.MediaException.Reason;
import io.reelvault.model.FileType;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * ffmpeg work: thumbnails, probes and compression of video given by URL (the service's own signed URLs) or
 * local path. Every operation returns a lazy {@link Uni}: each subscription queues one task on this bean's own
 * bounded pool (see {@link ReelvaultConfig.Media}), so the caller's thread never blocks, and the result (or
 * the failure of a started task) arrives on a pool thread. Every failure is a {@link MediaException} whose message is safe to store
 * and log: the source never appears in it. Cancelling the Uni kills the task's process and removes its files.
 * Inputs may use only the file, http(s), tcp and tls protocols and only the demuxers of the service's file
 * types (MP4, MP3, WAV, GIF, PNG, JPEG): a playlist posing as a clip cannot make ffmpeg open anything else.
 *
 * <p>ffmpeg and ffprobe are looked up once, at construction. When either is missing, or media work is
 * disabled, {@link #available()} is false, one message is logged at start-up and every operation fails with
 * {@link Reason#UNAVAILABLE}.
 */
@Singleton
public class MediaTools implements AutoCloseable {
    /** The narrowest thumbnail, in pixels. */
    public static final int MIN_THUMBNAIL_WIDTH = 16;
    /** The widest thumbnail, in pixels. */
    public static final int MAX_THUMBNAIL_WIDTH = 4096;

    private static final Logger LOG = Logger.getLogger(MediaTools.class);
    /** The only protocols an input may use. */
    private static final String PROTOCOLS = "file,http,https,tcp,tls";
    /**
     * The only demuxers an input may use: those of the service's file types (MP4, MP3, WAV, GIF, PNG, JPEG).
     * Playlists and other formats that open further inputs (HLS, concat, ...) are refused, so that content
     * cannot make ffmpeg fetch other URLs or read local files.
     */
    private static final String FORMATS = "mov,mp3,wav,gif,png_pipe,jpeg_pipe";
    /** Where a thumbnail is taken, in seconds from the start. */
    private static final String THUMBNAIL_AT = "1";

    private static final int MAX_THUMBNAIL_BYTES = 5 << 20;
    private static final int MAX_PROBE_BYTES = 1 << 20;

    private final ReelvaultConfig.Media settings;
    private final Path ffmpeg;
    private final Path ffprobe;
    /** Why media work is off, or null when it is on. */
    private final String off;

    private final ProcessRunner runner;

    @Inject
    MediaTools(ReelvaultConfig config) {
        this(config.media(), System.getenv("PATH"));
    }

    /** @param searchPath where to look for binaries that are not configured, as {@code PATH}; may be null */
    MediaTools(ReelvaultConfig.Media settings, String searchPath) {
        this.settings = settings;
        this.runner = new ProcessRunner(settings.workers(), settings.queue());
        Optional<Path> foundFfmpeg = find(settings.ffmpegPath(), "ffmpeg", searchPath);
        Optional<Path> foundFfprobe = find(settings.ffprobePath(), "ffprobe", searchPath);
        this.ffmpeg = foundFfmpeg.orElse(null);
        this.ffprobe = foundFfprobe.orElse(null);
        if (!settings.enabled()) {
            off = "reelvault.media.enabled is false";
        } else if (foundFfmpeg.isEmpty()) {
            off = missing(settings.ffmpegPath(), "ffmpeg");
        } else if (foundFfprobe.isEmpty()) {
            off = missing(settings.ffprobePath(), "ffprobe");
        } else {
            off = null;
        }
    }

    void onStart(@Observes StartupEvent event, CommandMode commandMode) {
        if (commandMode.active() || off == null) {
            return;
        }
        if (settings.enabled()) {
            LOG.warnf("media work is off: %s; thumbnails, probes and compression will fail", off);
        } else {
            LOG.infof("media work is off: %s", off);
        }
    }

    /** Whether media work is on: enabled, and both ffmpeg and ffprobe found. */
    public boolean available() {
        return off == null;
    }

    /**
     * A JPEG of the frame about 1 s into {@code source} (the first frame of a shorter clip), {@code width}
     * pixels wide, its height keeping the aspect ratio (rounded to an even number). Deadline per process:
     * {@code reelvault.media.probe-timeout}; at most 5 MiB.
     *
     * @param source a URL (file, http or https) or a local path
     * @throws IllegalArgumentException at once when {@code width} is outside
     *     [{@value #MIN_THUMBNAIL_WIDTH}, {@value #MAX_THUMBNAIL_WIDTH}]
     */
    public Uni<byte[]> thumbnail(String source, int width) {
        if (width < MIN_THUMBNAIL_WIDTH || width > MAX_THUMBNAIL_WIDTH) {
            throw new IllegalArgumentException("thumbnail width must be within " + MIN_THUMBNAIL_WIDTH + ".."
                    + MAX_THUMBNAIL_WIDTH + ", not " + width);
        }
        return submit(source, processes -> {
            Redactor redactor = new Redactor(source, null);
            Duration deadline = settings.probeTimeout();
            byte[] jpeg = processes.run(thumbnailCommand(source, width, true), deadline, MAX_THUMBNAIL_BYTES, redactor);
            if (jpeg.length == 0) {
                jpeg = processes.run(thumbnailCommand(source, width, false), deadline, MAX_THUMBNAIL_BYTES, redactor);
            }
            if (ContentSniffer.sniff(jpeg).filter(FileType.JPEG::equals).isEmpty()) {
                throw new MediaException(
                        Reason.FAILED, "ffmpeg produced no JPEG: the input has no decodable video frame");
            }
            return jpeg;
        });
    }

    /**
     * The duration and the first video and audio stream of {@code source}. Deadline:
     * {@code reelvault.media.probe-timeout}.
     *
     * @param source a URL (file, http or https) or a local path
     */
    public Uni<MediaProbe> probe(String source) {
        return submit(
                source,
                processes -> MediaProbe.parse(processes.run(
                        probeCommand(source), settings.probeTimeout(), MAX_PROBE_BYTES, new Redactor(source, null))));
    }

    /** {@link #compress(String, Path)} into {@code reelvault.media.work-dir}. */
    public Uni<Path> compress(String source) {
        return compress(source, settings.workDir());
    }

    /**
     * Re-encodes {@code source} as H.264 (CRF 23, preset medium, yuv420p, even dimensions) with AAC audio at
     * 128 kb/s when it has audio, in an MP4 whose index comes first (fast start). Only the first video and the
     * first audio stream are kept. Deadline: {@code reelvault.media.timeout}.
     *
     * @param source a URL (file, http or https) or a local path
     * @param workDir the folder the new file is created in (created if missing)
     * @return a new file under {@code workDir}, which the caller deletes; on failure or cancellation no file
     *     is left behind
     */
    public Uni<Path> compress(String source, Path workDir) {
        return submit(source, new ProcessRunner.Job<>() {
            @Override
            public Path run(ProcessRunner.Processes processes) {
                Path output = createOutput(workDir);
                try {
                    processes.run(compressCommand(source, output), settings.timeout(), 0, new Redactor(source, output));
                    return output;
                } catch (RuntimeException e) {
                    delete(output);
                    throw e;
                }
            }

            @Override
            public void discard(Path output) {
                delete(output);
            }
        });
    }

    /** Fails waiting tasks and kills running processes (their tasks fail with {@link Reason#UNAVAILABLE}). */
    @PreDestroy
    @Override
    public void close() {
        runner.close();
    }

    private <T> Uni<T> submit(String source, ProcessRunner.Job<T> job) {
        if (off != null) {
            return Uni.createFrom().failure(() -> new MediaException(Reason.UNAVAILABLE, "media work is off: " + off));
        }
        if (source == null || source.isBlank() || source.chars().anyMatch(Character::isISOControl)) {
            return Uni.createFrom()
                    .failure(() -> new MediaException(Reason.FAILED, "the source is not a usable URL or path"));
        }
        return runner.submit(job);
    }

    private List<String> probeCommand(String source) {
        List<String> command = new ArrayList<>(List.of(
                ffprobe.toString(),
                "-v",
                "error",
                "-hide_banner",
                "-show_entries",
                "format=duration:stream=codec_type,codec_name,width,height",
                "-of",
                "json"));
        command.addAll(input(source));
        return command;
    }

    private List<String> thumbnailCommand(String source, int width, boolean seek) {
        List<String> command = ffmpegCommand();
        if (seek) {
            command.addAll(List.of("-ss", THUMBNAIL_AT));
        }
        command.addAll(input(source));
        command.addAll(List.of(
                "-map",
                "0:v:0",
                "-frames:v",
                "1",
                "-vf",
                "scale=" + width + ":-2",
                "-q:v",
                "3",
                "-f",
                "image2pipe",
                "-c:v",
                "mjpeg",
                "pipe:1"));
        return command;
    }

    /**
     * Encoder threads of a compression: ffmpeg otherwise starts one per CPU it sees, and on a large node (a CPU
     * limit does not hide the node's cores) its memory grows with them past what the deploy manifests leave it beside
     * the heap ({@code DeployChecks.FFMPEG_PER_WORKER}, measured with this bound).
     */
    static final int ENCODER_THREADS = 2;

    List<String> compressCommand(String source, Path output) {
        List<String> command = ffmpegCommand();
        command.add("-y");
        command.addAll(input(source));
        command.addAll(List.of(
                "-map",
                "0:v:0",
                "-map",
                "0:a:0?",
                "-vf",
                "scale=trunc(iw/2)*2:trunc(ih/2)*2",
                "-pix_fmt",
                "yuv420p",
                "-c:v",
                "libx264",
                "-preset",
                "medium",
                "-crf",
                "23",
                "-c:a",
                "aac",
                "-b:a",
                "128k",
                "-threads",
                Integer.toString(ENCODER_THREADS),
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                output.toString()));
        return command;
    }

    /** ffmpeg, quiet but for errors, never reading standard input; the caller adds the rest. */
    private List<String> ffmpegCommand() {
        return new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-v", "error"));
    }

    /** The input options and the input; {@code source} follows {@code -i}, so it is never read as an option. */
    private static List<String> input(String source) {
        return List.of("-protocol_whitelist", PROTOCOLS, "-format_whitelist", FORMATS, "-i", source);
    }

    private static Path createOutput(Path workDir) {
        try {
            Files.createDirectories(workDir);
            return Files.createTempFile(workDir, "compressed-", ".mp4");
        } catch (IOException e) {
            throw new MediaException(
                    Reason.FAILED,
                    "could not create the output file in the work directory ("
                            + e.getClass().getSimpleName() + ")");
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf(
                    "could not delete the media work file %s: %s",
                    file, e.getClass().getSimpleName());
        }
    }

    /**
     * The configured executable, or else the first executable file called {@code name} in an absolute folder of
     * {@code searchPath}. A configured path that is not an executable file finds nothing: no fallback.
     */
    static Optional<Path> find(Optional<Path> configured, String name, String searchPath) {
        if (configured.isPresent()) {
            return configured.map(Path::toAbsolutePath).filter(MediaTools::isExecutableFile);
        }
        if (searchPath == null) {
            return Optional.empty();
        }
        for (String folder : searchPath.split(File.pathSeparator)) {
            try {
                Path dir = Path.of(folder);
                // an empty or relative entry would search the working directory: skipped
                if (dir.isAbsolute() && isExecutableFile(dir.resolve(name))) {
                    return Optional.of(dir.resolve(name));
                }
            } catch (InvalidPathException e) {
                // not a folder name: skipped
            }
        }
        return Optional.empty();
    }

    private static boolean isExecutableFile(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }

    private static String missing(Optional<Path> configured, String name) {
        return configured
                .map(path -> "reelvault.media." + name + "-path (" + path + ") is not an executable file")
                .orElse(name + " is not on PATH (or set reelvault.media." + name + "-path)");
    }
}
