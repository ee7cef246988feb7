package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.model.ObjectKey;
import io.reelvault.storage.local.LocalObjectStore;
import io.reelvault.support.LocalRoots;
import io.reelvault.support.Samples;
import io.smallrye.mutiny.Multi;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar quarkus-run.jar scrub} as an operator runs it, on a root written by the real local backend, with
 * only {@code LOCAL_STORAGE_PATH} set (no token key, no signing key): after a byte is flipped under one of two objects,
 * exit 1, exactly that object listed with both digests, and the summary. (One run: a jar start costs seconds;
 * {@code ScrubberTest} covers an intact root.)
 */
class ScrubCommandIT {
    static final String GOOD = "uploads/u1/upload_20260101_aaaaaaaaaaaa/original.png";
    static final String BAD = "generations/u1/gen_20260101_bbbbbbbbbbbb/clips/clip_001.mp4";

    @TempDir
    Path root;

    record Run(int exit, List<String> out, String err) {}

    @Test
    @Timeout(240)
    void listsExactlyTheDamagedObjectAndExitsNonZero() throws Exception {
        byte[] png = Samples.png(200_000);
        byte[] clip = Samples.mp4(300_000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            LocalObjectStore store = LocalRoots.open(root, pool, Clock.systemUTC());
            for (var object : List.of(new Object[] {GOOD, png}, new Object[] {BAD, clip})) {
                byte[] bytes = (byte[]) object[1];
                store.put(
                                ObjectKey.parse((String) object[0]),
                                Multi.createFrom().item(ByteBuffer.wrap(bytes)),
                                OptionalLong.of(bytes.length),
                                "application/octet-stream")
                        .await()
                        .atMost(Duration.ofSeconds(10));
            }
        } finally {
            pool.shutdownNow();
        }
        String summary = "scrubbed " + root.toAbsolutePath().normalize() + ": ";

        try (RandomAccessFile f = new RandomAccessFile(root.resolve(BAD).toFile(), "rw")) {
            f.seek(100_000);
            int b = f.read();
            f.seek(100_000);
            f.write(b ^ 0x80);
        }
        byte[] damaged = clip.clone();
        damaged[100_000] ^= (byte) 0x80;
        Run found = scrub();
        assertEquals(1, found.exit(), found.out() + "\n" + found.err());
        assertEquals(
                List.of(
                        "damaged " + BAD + " expected " + Samples.sha256(clip) + " actual " + Samples.sha256(damaged),
                        summary + "1 intact, 1 damaged, 0 without a recorded sha256, " + (png.length + clip.length)
                                + " bytes read"),
                found.out());
    }

    Run scrub() throws IOException, InterruptedException {
        Path out = Files.createTempFile(Path.of("target"), "scrub-", ".out");
        Path err = Files.createTempFile(Path.of("target"), "scrub-", ".err");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-jar",
                PackagedApp.JAR.toString(),
                "scrub"));
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("MP_JWT")
                        || k.startsWith("REELVAULT")
                        || k.startsWith("QUARKUS")
                        || k.startsWith("AWS_")
                        || k.startsWith("S3_")
                        || k.equals("USE_LOCAL_STORAGE")
                        || k.equals("LOCAL_STORAGE_PATH"));
        pb.environment().put("LOCAL_STORAGE_PATH", root.toString());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command should end by itself");
            return new Run(p.exitValue(), Files.readAllLines(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
