package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (prod profile) refuses to start without the settings it cannot do
 * without, and says which environment variable is missing.
 */
class ProductionStartupIT {

    /** Starts the packaged app with a clean environment plus {@code env}, its output going to {@code log}. */
    private static Process launch(Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m",
                        "-jar",
                        PackagedApp.JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        clean(pb.environment());
        pb.environment().putAll(env);
        return pb.start();
    }

    static String startExpectingFailure(Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile(Path.of("target"), "prod-startup-", ".log");
        Process p = launch(env, log);
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the application should stop by itself");
            assertNotEquals(0, p.exitValue(), "exit status");
            return Files.readString(log);
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code env} plus the token settings the prod profile needs (key, issuer, audience). */
    static Map<String, String> withTokenSettings(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString());
        all.put("MP_JWT_VERIFY_ISSUER", ItKeys.ISSUER);
        all.put("MP_JWT_VERIFY_AUDIENCES", ItKeys.AUDIENCE);
        return all;
    }

    /** None of the test run's own settings; a free port, a storage root of its own. */
    private static void clean(Map<String, String> env) {
        env.keySet()
                .removeIf(k -> k.startsWith("MP_JWT")
                        || k.startsWith("REELVAULT")
                        || k.startsWith("QUARKUS")
                        || k.equals("USE_LOCAL_STORAGE")
                        || k.equals("S3_BUCKET")
                        || k.equals("AWS_REGION"));
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("QUARKUS_MANAGEMENT_PORT", "0");
        env.put("LOCAL_STORAGE_PATH", "target/it-prod-storage");
    }

    @Test
    void refusesToStartWithoutATokenVerificationKey() throws Exception {
        String out = startExpectingFailure(Map.of());
        assertTrue(out.contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION"), out);
    }

    @Test
    void refusesToStartWithoutAnIssuer() throws Exception {
        String out = startExpectingFailure(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString()));
        assertTrue(out.contains("MP_JWT_VERIFY_ISSUER"), out);
    }

    /** A random key per replica breaks every URL another replica signed: the local backend needs a key, or a yes. */
    @Test
    void refusesToStartOnTheLocalBackendWithoutASigningKey() throws Exception {
        String out = startExpectingFailure(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER",
                ItKeys.ISSUER,
                "MP_JWT_VERIFY_AUDIENCES",
                ItKeys.AUDIENCE));
        assertTrue(out.contains("REELVAULT_SIGNING_KEY is not set"), out);
        assertTrue(out.contains("REELVAULT_SIGNING_KEY_EPHEMERAL=true"), out);
    }

    @Test
    void refusesMalformedSigningKeysWithoutPrintingThem() throws Exception {
        String shortKey = "short-secret-value";
        String out = startExpectingFailure(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER",
                ItKeys.ISSUER,
                "MP_JWT_VERIFY_AUDIENCES",
                ItKeys.AUDIENCE,
                "REELVAULT_SIGNING_KEY",
                shortKey));
        assertTrue(out.contains("REELVAULT_SIGNING_KEY must be at least 32 bytes"), out);
        assertFalse(out.contains(shortKey), out);
        String previous = "old:previous-secret-value-0123456789abcdef,broken-entry-secret-0123456789abcdef";
        out = startExpectingFailure(withTokenSettings(Map.of(
                "REELVAULT_SIGNING_KEY",
                "current-secret-value-0123456789abcdef",
                "REELVAULT_SIGNING_KEYS_PREVIOUS",
                previous)));
        assertTrue(out.contains("REELVAULT_SIGNING_KEYS_PREVIOUS, entry 2"), out);
        assertFalse(out.contains("secret-value") || out.contains("entry-secret"), out);
    }

    /** A part size S3 would refuse fails the start, not the first direct multipart upload. */
    @Test
    void refusesAMultipartPartSizeS3WouldRefuse() throws Exception {
        String out = startExpectingFailure(withTokenSettings(Map.of(
                "REELVAULT_SIGNING_KEY", "current-secret-value-0123456789abcdef",
                "REELVAULT_UPLOADS_MULTIPART_PART_SIZE", "1M")));
        assertTrue(out.contains("REELVAULT_UPLOADS_MULTIPART_PART_SIZE is 1048576 bytes"), out);
    }

    /**
     * Starts the packaged app, waits until it listens and kills it (SIGKILL: what is checked is the start; a SIGTERM
     * would wait out the production pre-shutdown delay): its log.
     */
    static String startExpectingListening(Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile(Path.of("target"), "prod-startup-", ".log");
        Process p = launch(env, log);
        try {
            Poll.until(Duration.ofSeconds(90), "the application listening (" + log + ")", () -> {
                assertTrue(p.isAlive(), "the application ended at start-up: " + read(log));
                return read(log).contains("Listening on:");
            });
            return Files.readString(log);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsWithAThrowawaySigningKeyWhenToldSo() throws Exception {
        String out = startExpectingListening(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER",
                ItKeys.ISSUER,
                "MP_JWT_VERIFY_AUDIENCES",
                ItKeys.AUDIENCE,
                "REELVAULT_SIGNING_KEY_EPHEMERAL",
                "true"));
        assertTrue(out.contains("REELVAULT_SIGNING_KEY_EPHEMERAL=true: signed URLs use a random key"), out);
    }

    /** Quarkus' convention: the audience is optional; without one the service starts and says what that means. */
    @Test
    void startsWithoutAnAudienceAndWarns() throws Exception {
        String out = startExpectingListening(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER",
                ItKeys.ISSUER,
                "REELVAULT_SIGNING_KEY",
                "audience-less-signing-key-0123456789abcdef"));
        assertTrue(out.contains("MP_JWT_VERIFY_AUDIENCES is not set: tokens are accepted whatever their aud"), out);
    }

    @Test
    void refusesToStartWithSpacesAroundAnAudience() throws Exception {
        // SmallRye JWT would compare " reelvault-it-api" as it is and refuse every token
        String out = startExpectingFailure(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER",
                ItKeys.ISSUER,
                "MP_JWT_VERIFY_AUDIENCES",
                "other-app, " + ItKeys.AUDIENCE));
        assertTrue(
                out.contains(
                        "MP_JWT_VERIFY_AUDIENCES 'other-app, " + ItKeys.AUDIENCE + "' has an empty entry or spaces"),
                out);
    }

    @Test
    void refusesToStartOnS3WithoutABucket() throws Exception {
        String out = startExpectingFailure(Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER",
                ItKeys.ISSUER,
                "MP_JWT_VERIFY_AUDIENCES",
                ItKeys.AUDIENCE,
                "USE_LOCAL_STORAGE",
                "false"));
        assertTrue(out.contains("S3_BUCKET"), out);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
