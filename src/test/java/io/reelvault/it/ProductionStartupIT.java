package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (prod profile) refuses to start without the settings it cannot do
 * without, and says which environment variable is missing.
 */
class ProductionStartupIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    static String startExpectingFailure(Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile(Path.of("target"), "prod-startup-", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", JAR.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MP_JWT") || k.startsWith("REELVAULT") || k.startsWith("QUARKUS")
                || k.equals("USE_LOCAL_STORAGE") || k.equals("S3_BUCKET") || k.equals("AWS_REGION"));
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", "0");
        pb.environment().put("LOCAL_STORAGE_PATH", "target/it-prod-storage");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the application should stop by itself");
            assertNotEquals(0, p.exitValue(), "exit status");
            return Files.readString(log);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void refusesToStartWithoutATokenVerificationKey() throws Exception {
        String out = startExpectingFailure(Map.of());
        assertTrue(out.contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION"), out);
    }

    @Test
    void refusesToStartWithoutAnIssuer() throws Exception {
        String out = startExpectingFailure(Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", ItKeys.publicKeyFile().toUri().toString()));
        assertTrue(out.contains("MP_JWT_VERIFY_ISSUER"), out);
    }

    @Test
    void refusesToStartOnS3WithoutABucket() throws Exception {
        String out = startExpectingFailure(Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", ItKeys.publicKeyFile().toUri().toString(),
                "MP_JWT_VERIFY_ISSUER", ItKeys.ISSUER, "USE_LOCAL_STORAGE", "false"));
        assertTrue(out.contains("S3_BUCKET"), out);
    }
}
