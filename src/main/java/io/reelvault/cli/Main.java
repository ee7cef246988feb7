package io.reelvault.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.storage.local.Scrubber;
import io.reelvault.storage.s3.BucketAdmin;
import io.reelvault.storage.s3.S3Backend;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The entry point. Without arguments it runs the service. With {@code bucket setup} or {@code bucket
 * verify} it runs that operator command on the configured S3 bucket (see {@link BucketAdmin}), with {@code scrub} it
 * checks every object of the local root against its recorded sha256 ({@link #scrub}); it prints its
 * lines to standard output and exits with the command's code:
 * <ul>
 * <li>0: every item applied / as expected, or not supported by the server;</li>
 * <li>1: a drift or a failed request; a damaged object;</li>
 * <li>2: unknown arguments (usage on standard error), or settings that do not allow the command
 * ({@code USE_LOCAL_STORAGE} not {@code false}, {@code S3_BUCKET} or {@code AWS_REGION} missing, unusable
 * {@code ALLOWED_ORIGINS}), said on standard error.</li>
 * </ul>
 * A command reads the same settings as the service ({@code S3_BUCKET}, {@code AWS_REGION},
 * {@code S3_ENDPOINT_URL}, {@code S3_PATH_STYLE}, {@code ALLOWED_ORIGINS},
 * {@code REELVAULT_STORAGE_S3_VERSIONING}, AWS credentials) but not the service's token key
 * ({@link CommandMode}); started from the jar it opens no HTTP port and logs warnings only, to standard
 * error, so that it runs beside a running service and standard output holds only its lines.
 */
@QuarkusMain
public class Main implements QuarkusApplication {
    static final int USAGE_OR_SETTINGS = 2;
    static final String USAGE = """
            usage: java -jar quarkus-run.jar [bucket setup | bucket verify | scrub]
              (no arguments)  run the service
              bucket setup    apply public access block, SSE-S3, lifecycle, CORS (and versioning) to S3_BUCKET
              bucket verify   read them back: one line per item, ok / drift / unsupported / error
              scrub           read every object under LOCAL_STORAGE_PATH and compare it with the sha256 recorded when
                              it was written: one line per damaged object, then a summary (exit 1 when any is damaged)
            exit codes: 0 ok, 1 drift or failure, 2 usage or settings""";

    @Inject
    ReelvaultConfig config;

    @Inject
    S3Backend s3;

    @Inject
    Config settings;

    /**
     * Used by {@code java -jar}: for a command, no HTTP listener (the service may hold the port on this host),
     * no banner, no shutdown delay, and only warnings logged, on standard error. Each can be overridden with {@code -D}. Dev mode does not call it ({@code quarkus:dev -Dquarkus.args=...}) and runs
     * the command beside its dev server.
     */
    public static void main(String... args) {
        if (CommandMode.isCommand(args)) {
            setIfAbsent("quarkus.http.host-enabled", "false");
            setIfAbsent("quarkus.log.console.stderr", "true");
            setIfAbsent("quarkus.log.level", "WARN");
            setIfAbsent("quarkus.banner.enabled", "false");
            // no readiness to withdraw and no requests to finish: exit at once, not after the service's shutdown delay
            setIfAbsent("quarkus.shutdown.delay", "0S");
        }
        Quarkus.run(Main.class, args);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public int run(String... args) {
        if (!CommandMode.isCommand(args)) {
            Quarkus.waitForExit();
            return 0;
        }
        if (args.length == 1 && args[0].equals("scrub")) {
            return scrub(System.out, System.err);
        }
        if (args.length == 2 && args[0].equals("bucket") && (args[1].equals("setup") || args[1].equals("verify"))) {
            return bucket(args[1].equals("setup"), System.out, System.err);
        }
        System.err.println("unknown arguments: " + String.join(" ", args));
        System.err.println(USAGE);
        return USAGE_OR_SETTINGS;
    }

    int bucket(boolean setup, PrintStream out, PrintStream err) {
        ReelvaultConfig.Storage storage = config.storage();
        if (storage.useLocal()) {
            err.println("the bucket commands work on S3: set USE_LOCAL_STORAGE=false (with S3_BUCKET, AWS_REGION)"
                    + " as for the service; USE_LOCAL_STORAGE is true (the default), the local backend has no bucket");
            return USAGE_OR_SETTINGS;
        }
        Optional<String> bucket = storage.s3().bucket();
        Optional<String> region = storage.s3().region();
        if (bucket.isEmpty() || region.isEmpty()) {
            err.println((bucket.isEmpty() ? "S3_BUCKET" : "AWS_REGION") + " must be set when USE_LOCAL_STORAGE=false");
            return USAGE_OR_SETTINGS;
        }
        // the same source as the service's CORS: quarkus.http.cors.origins, from ALLOWED_ORIGINS
        List<String> origins = settings.getOptionalValues("quarkus.http.cors.origins", String.class)
                .orElse(List.of());
        BucketAdmin admin;
        try {
            admin = s3.bucketAdmin(storage.s3(), origins);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return USAGE_OR_SETTINGS;
        }
        Optional<String> endpoint = settings.getOptionalValue("quarkus.s3.endpoint-override", String.class);
        out.println((setup ? "setup" : "verify") + " of bucket " + bucket.get() + " in " + region.get()
                + endpoint.map(e -> " at " + e).orElse(""));
        int exit = setup ? admin.setup(out::println) : admin.verify(out::println);
        out.flush();
        return exit;
    }

    /**
     * {@code scrub}: every object of the local root checked against its recorded sha256 ({@link Scrubber}), read-only,
     * so it runs beside the service. One line per damaged object, {@code damaged <key> expected <sha256> actual
     * <sha256>}, then {@code scrubbed ...}; exit 1 when any object is damaged or the root cannot be read.
     */
    int scrub(PrintStream out, PrintStream err) {
        ReelvaultConfig.Storage storage = config.storage();
        if (!storage.useLocal()) {
            err.println(
                    "scrub checks the local backend (USE_LOCAL_STORAGE=true); on S3 the bucket checks its objects itself");
            return USAGE_OR_SETTINGS;
        }
        Path root = storage.local().path();
        if (!Files.isDirectory(root)) {
            err.println("LOCAL_STORAGE_PATH " + root + " is not a folder");
            return USAGE_OR_SETTINGS;
        }
        try {
            Scrubber.Summary summary = new Scrubber(root).run(d -> {
                out.println("damaged " + d.key() + " expected " + d.expected() + " actual " + d.actual());
                out.flush();
            });
            out.println("scrubbed " + root.toAbsolutePath().normalize() + ": " + summary.verified() + " intact, "
                    + summary.damaged() + " damaged, " + summary.unverifiable() + " without a recorded sha256, "
                    + summary.bytes() + " bytes read");
            out.flush();
            return summary.damaged() > 0 ? 1 : 0;
        } catch (IOException | RuntimeException e) {
            err.println("scrub failed: " + e);
            return 1;
        }
    }
}
