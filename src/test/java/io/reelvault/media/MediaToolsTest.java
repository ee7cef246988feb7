package io.reelvault.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.media.MediaException.Reason;
import io.reelvault.support.Poll;
import io.reelvault.support.Tools;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MediaTools against the real ffmpeg and ffprobe, on clips made by ffmpeg. */
class MediaToolsTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String SECRET = "secret123";
    static final String FFMPEG = "Debian's 'ffmpeg' package (apt-get install ffmpeg)";

    @TempDir
    static Path clips;

    static Path clip;
    static Path shortClip;
    static Path heavyClip;

    @TempDir
    Path work;

    final List<MediaTools> opened = new ArrayList<>();

    @BeforeAll
    static void makeClips() throws Exception {
        // fails, never skips, without them: a skipped media suite would pass on a machine that cannot make a thumbnail
        Tools.onPath("ffmpeg", FFMPEG);
        Tools.onPath("ffprobe", FFMPEG);
        clip = ffmpeg(
                "clip.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=5:size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=5",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest");
        shortClip = ffmpeg(
                "short.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=0.5:size=640x360:rate=25",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p");
        heavyClip = ffmpeg(
                "heavy.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=duration=2:size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=2",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-qp",
                "0",
                "-c:a",
                "aac",
                "-shortest");
    }

    static Path ffmpeg(String name, String... args) throws Exception {
        Path out = clips.resolve(name);
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        command.addAll(List.of(args));
        command.add(out.toString());
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "ffmpeg made " + name);
        return out;
    }

    MediaTools tools(MediaSettings settings) {
        MediaTools tools = new MediaTools(settings, System.getenv("PATH"));
        opened.add(tools);
        return tools;
    }

    MediaTools tools() {
        return tools(MediaSettings.defaults(work));
    }

    @AfterEach
    void close() {
        opened.forEach(MediaTools::close);
    }

    static MediaException failure(Uni<?> uni) {
        return assertThrows(MediaException.class, () -> uni.await().atMost(WAIT));
    }

    static BufferedImage image(byte[] jpeg) throws IOException {
        assertTrue(jpeg.length > 3 && (jpeg[0] & 0xFF) == 0xFF && (jpeg[1] & 0xFF) == 0xD8 && (jpeg[2] & 0xFF) == 0xFF);
        return ImageIO.read(new ByteArrayInputStream(jpeg));
    }

    /** A URL of a local server that accepts connections but never answers. */
    static String silentUrl(ServerSocket server) {
        return "http://127.0.0.1:" + server.getLocalPort() + "/storage/x.mp4?X-Expires=99&X-Signature=" + SECRET;
    }

    static ServerSocket silentServer() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    static Stream<ProcessHandle> ffmpegProcesses() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.endsWith("ffmpeg") || c.endsWith("ffprobe"))
                        .orElse(false));
    }

    static long files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void aCompressionUsesABoundedNumberOfEncoderThreads() {
        List<String> command = tools().compressCommand("in.mp4", Path.of("out.mp4"));
        int at = command.indexOf("-threads");
        assertTrue(at > command.indexOf("libx264"), command.toString());
        assertEquals(Integer.toString(MediaTools.ENCODER_THREADS), command.get(at + 1));
        assertTrue(at < command.indexOf("out.mp4"), "an output option: " + command);
    }

    @Test
    void thumbnailIsAJpegOfTheRequestedWidth() throws IOException {
        BufferedImage image =
                image(tools().thumbnail(clip.toString(), 320).await().atMost(WAIT));
        assertEquals(320, image.getWidth());
        assertEquals(180, image.getHeight());
    }

    @Test
    void thumbnailOfAClipShorterThanASecondIsItsFirstFrame() throws IOException {
        BufferedImage image =
                image(tools().thumbnail(shortClip.toString(), 320).await().atMost(WAIT));
        assertEquals(320, image.getWidth());
    }

    @Test
    void thumbnailWidthIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> tools().thumbnail(clip.toString(), 0));
        assertThrows(IllegalArgumentException.class, () -> tools().thumbnail(clip.toString(), 10_000));
    }

    @Test
    void probeReadsDurationAndCodecs() {
        MediaProbe probe = tools().probe(clip.toString()).await().atMost(WAIT);
        assertEquals(5.0, probe.durationSeconds(), 0.2);
        assertEquals("h264", probe.videoCodec());
        assertEquals(640, probe.width());
        assertEquals(360, probe.height());
        assertEquals("aac", probe.audioCodec());
        assertNull(tools().probe(shortClip.toString()).await().atMost(WAIT).audioCodec());
    }

    @Test
    void compressMakesASmallerPlayableMp4() throws IOException {
        MediaTools tools = tools();
        Path workDir = work.resolve("not/yet");
        Path out = tools.compress(heavyClip.toString(), workDir).await().atMost(Duration.ofMinutes(2));
        assertEquals(workDir, out.getParent());
        assertTrue(Files.size(out) * 3 < Files.size(heavyClip), Files.size(out) + " vs " + Files.size(heavyClip));
        MediaProbe probe = tools.probe(out.toString()).await().atMost(WAIT);
        assertEquals(2.0, probe.durationSeconds(), 0.2);
        assertEquals("h264", probe.videoCodec());
        assertEquals("aac", probe.audioCodec());
        assertEquals(640, probe.width());
    }

    @Test
    void garbageFailsAndTheMessageNamesNoSource() throws IOException {
        Path garbage = work.resolve("X-Signature=" + SECRET + ".mp4");
        Files.write(garbage, "this is not a video at all".repeat(100).getBytes());
        MediaTools tools = tools();
        for (Uni<?> task : List.of(
                tools.thumbnail(garbage.toString(), 320),
                tools.probe(garbage.toString()),
                tools.compress(garbage.toString()))) {
            MediaException e = failure(task);
            assertEquals(Reason.FAILED, e.reason());
            assertFalse(e.getMessage().contains(SECRET) || e.getMessage().contains(work.toString()), e.getMessage());
        }
        assertEquals(1, files(work), "no compression output left");
    }

    @Test
    void aPlaylistPosingAsAClipOpensNothingElse() throws IOException {
        Path playlist = work.resolve("playlist.mp4");
        Files.writeString(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:5,\n" + clip + "\n#EXT-X-ENDLIST\n");
        MediaException e = failure(tools().probe(playlist.toString()));
        assertEquals(Reason.FAILED, e.reason());
        assertTrue(e.getMessage().contains("not on whitelist"), e.getMessage());
    }

    @Test
    void anUnreachableSignedUrlFailsAndTheMessageNamesNoSource() throws IOException {
        String url;
        try (ServerSocket closed = silentServer()) {
            url = silentUrl(closed);
        }
        MediaTools tools = tools();
        for (Uni<?> task : List.of(tools.thumbnail(url, 320), tools.probe(url), tools.compress(url))) {
            MediaException e = failure(task);
            assertEquals(Reason.FAILED, e.reason());
            assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET) || e.getMessage().contains("/storage/x.mp4"), e.getMessage());
        }
    }

    @Test
    void theDeadlineKillsTheProcessAndRemovesTheOutput() throws Exception {
        MediaTools tools = tools(MediaSettings.defaults(work).withTimeout(Duration.ofMillis(500)));
        try (ServerSocket silent = silentServer()) {
            MediaException e = failure(tools.compress(silentUrl(silent)));
            assertEquals(Reason.TIMED_OUT, e.reason());
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        }
        assertEquals(0, ffmpegProcesses().count(), "no process left");
        assertEquals(0, files(work), "no output left");
    }

    @Test
    void cancellingKillsTheProcessAndRemovesTheOutput() throws Exception {
        MediaTools tools = tools();
        try (ServerSocket silent = silentServer()) {
            Cancellable running = tools.compress(silentUrl(silent)).subscribe().with(path -> {}, failure -> {});
            Poll.until(WAIT, "ffmpeg started", () -> ffmpegProcesses().count() == 1);
            assertEquals(1, files(work));
            running.cancel();
            Poll.until(WAIT, "ffmpeg killed", () -> ffmpegProcesses().findAny().isEmpty());
            Poll.until(WAIT, "output removed", () -> {
                try {
                    return files(work) == 0;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        try (ServerSocket silent = silentServer()) {
            MediaTools noQueue = tools(MediaSettings.defaults(work).withPool(1, 0));
            Cancellable running = noQueue.probe(silentUrl(silent)).subscribe().with(p -> {}, f -> {});
            assertEquals(Reason.BUSY, failure(noQueue.probe(clip.toString())).reason());
            running.cancel();

            MediaTools oneQueued = tools(MediaSettings.defaults(work).withPool(1, 1));
            Cancellable first = oneQueued.probe(silentUrl(silent)).subscribe().with(p -> {}, f -> {});
            Uni<MediaProbe> queued = oneQueued.probe(clip.toString());
            Cancellable second = queued.subscribe().with(p -> {}, f -> {});
            // refused, not queued: a queued probe would wait behind the silent one for good, and fail() would time out
            assertEquals(Reason.BUSY, failure(oneQueued.probe(clip.toString())).reason());
            second.cancel();
            first.cancel();
            MediaProbe afterwards = oneQueued.probe(clip.toString()).await().atMost(WAIT);
            assertEquals("h264", afterwards.videoCodec());
        }
    }

    @Test
    void aMissingBinaryTurnsMediaWorkOff() {
        MediaTools missing = tools(MediaSettings.defaults(work).withFfmpeg(work.resolve("no-such-ffmpeg")));
        assertFalse(missing.available());
        assertEquals(
                Reason.UNAVAILABLE,
                failure(missing.thumbnail(clip.toString(), 320)).reason());
        assertFalse(tools(MediaSettings.defaults(work).disabled()).available());
        assertTrue(tools().available());
    }

    @Test
    void binariesAreFoundOnPathAsExecutableFilesOnly() throws IOException {
        Path notExecutable = Files.createDirectories(work.resolve("a"));
        Path executable = Files.createDirectories(work.resolve("b"));
        Files.writeString(notExecutable.resolve("ffmpeg"), "#!/bin/sh\n");
        Files.writeString(executable.resolve("ffmpeg"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(executable.resolve("ffmpeg"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String path = String.join(":", "", "relative", notExecutable.toString(), executable.toString());
        assertEquals(Optional.of(executable.resolve("ffmpeg")), MediaTools.find(Optional.empty(), "ffmpeg", path));
        assertEquals(Optional.empty(), MediaTools.find(Optional.empty(), "ffprobe", path));
        assertEquals(
                Optional.empty(),
                MediaTools.find(Optional.of(notExecutable.resolve("ffmpeg")), "ffmpeg", path),
                "a configured path is not second-guessed");
        assertEquals(Optional.empty(), MediaTools.find(Optional.empty(), "ffmpeg", null), "no PATH: nothing found");
        assertEquals(
                Optional.of(Tools.onPath("ffmpeg", FFMPEG)),
                MediaTools.find(Optional.empty(), "ffmpeg", System.getenv("PATH")),
                "the PATH's own ffmpeg");
    }
}
