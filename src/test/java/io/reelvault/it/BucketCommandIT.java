package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.support.S3ProxyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * The packaged application as an operator runs it, {@code java -jar quarkus-run.jar bucket setup|verify},
 * against s3proxy's in-memory store started in this JVM, configured by environment variables only. No
 * token key is given (a command needs none), and the service's HTTP port is held by this test, which a
 * command must not need.
 */
class BucketCommandIT {
    static final String BUCKET = "reelvault-it-bucket";
    static final Path LOCAL_ROOT = Path.of("target/it-bucket-command-storage");

    static S3ProxyServer server;
    static ServerSocket servicePort;

    record Run(int exit, List<String> out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.inMemory().start();
        server.createBucket(BUCKET);
        servicePort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (servicePort != null) {
                servicePort.close();
            }
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }

    static Map<String, String> s3Env() {
        Map<String, String> env = new HashMap<>();
        env.put("USE_LOCAL_STORAGE", "false");
        env.put("S3_BUCKET", BUCKET);
        env.put("AWS_REGION", S3ProxyServer.REGION);
        env.put("S3_ENDPOINT_URL", server.endpoint().toString());
        env.put("S3_PATH_STYLE", "true");
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("ALLOWED_ORIGINS", "https://app.example.com,https://studio.example.com");
        env.put("REELVAULT_STORAGE_S3_VERSIONING", "true");
        return env;
    }

    static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(Path.of("target"), "bucket-command-", ".out");
        Path err = Files.createTempFile(Path.of("target"), "bucket-command-", ".err");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-jar",
                PackagedApp.JAR.toString()));
        command.addAll(List.of(args));
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
                        || k.equals("ALLOWED_ORIGINS"));
        pb.environment()
                .put("QUARKUS_HTTP_PORT", Integer.toString(servicePort.getLocalPort())); // taken: must not matter
        pb.environment().put("LOCAL_STORAGE_PATH", LOCAL_ROOT.toString());
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command should end by itself");
            return new Run(p.exitValue(), Files.readAllLines(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void setupThenVerifyEndToEnd() throws Exception {
        String header = " of bucket " + BUCKET + " in " + S3ProxyServer.REGION + " at " + server.endpoint();
        Run setup = run(s3Env(), "bucket", "setup");
        assertEquals(0, setup.exit(), setup.out() + "\n" + setup.err());
        assertEquals(
                List.of(
                        "setup" + header,
                        "unsupported public-access-block: not supported by this server",
                        "applied encryption: SSE-S3 (AES256) by default",
                        "unsupported lifecycle: not supported by this server",
                        "unsupported cors: not supported by this server",
                        "applied versioning: Enabled (no lifecycle rule expires noncurrent versions: deleted and expired"
                                + " objects stay stored as such)"),
                setup.out());

        Run verify = run(s3Env(), "bucket", "verify");
        assertEquals(0, verify.exit(), verify.out() + "\n" + verify.err());
        assertEquals(
                List.of(
                        "verify" + header,
                        "unsupported public-access-block: not supported by this server",
                        "ok encryption",
                        "unsupported lifecycle: not supported by this server",
                        "unsupported cors: not supported by this server",
                        "ok versioning"),
                verify.out());

        try (S3AsyncClient s3 = server.client()) {
            s3.putBucketVersioning(b ->
                            b.bucket(BUCKET).versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)))
                    .join();
        }
        Run drift = run(s3Env(), "bucket", "verify");
        assertEquals(1, drift.exit(), drift.out() + "\n" + drift.err());
        assertEquals(
                "drift versioning: Status expected Enabled, actual Suspended",
                drift.out().get(5));
        String all = setup.out() + setup.err() + verify.out() + verify.err() + drift.out() + drift.err();
        assertFalse(all.contains(S3ProxyServer.SECRET_KEY), "the secret key is never printed");
    }

    @Test
    void onTheLocalBackendTheCommandsRefuseWithExitTwoAndOpenNothing() throws Exception {
        Run run = run(Map.of(), "bucket", "verify");
        assertEquals(2, run.exit(), run.out() + "\n" + run.err());
        assertEquals(List.of(), run.out());
        assertTrue(run.err().contains("USE_LOCAL_STORAGE=false"), run.err());
        assertFalse(Files.exists(LOCAL_ROOT), "the local store is not opened by a command");
    }

    @Test
    void aMissingSettingIsNamedWithExitTwo() throws Exception {
        Map<String, String> env = s3Env();
        env.remove("S3_BUCKET");
        Run run = run(env, "bucket", "setup");
        assertEquals(2, run.exit(), run.out() + "\n" + run.err());
        assertTrue(run.err().contains("S3_BUCKET must be set when USE_LOCAL_STORAGE=false"), run.err());
    }

    @Test
    void unknownArgumentsPrintTheUsageWithExitTwo() throws Exception {
        Run run = run(s3Env(), "bucket", "create");
        assertEquals(2, run.exit(), run.out() + "\n" + run.err());
        assertTrue(run.err().contains("usage: java -jar quarkus-run.jar [bucket setup | bucket verify"), run.err());
    }
}
