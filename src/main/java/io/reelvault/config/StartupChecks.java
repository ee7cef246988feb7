package io.reelvault.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Start-up rules that no extension enforces: prod refuses to start without a token verification key and
 * issuer, and warns without an audience (then any {@code aud} is accepted); dev mode prints a ready token signed with its throwaway key. Neither applies to an operator
 * command ({@link CommandMode}), which verifies no token.
 */
@ApplicationScoped
public class StartupChecks {
    private static final Logger LOG = Logger.getLogger(StartupChecks.class);
    static final String AUDIENCES = "mp.jwt.verify.audiences";

    void onStart(@Observes StartupEvent event, Config config, CommandMode commandMode) {
        if (commandMode.active()) {
            return;
        }
        Optional<String> location = config.getOptionalValue(DevJwtKeys.PUBLIC_KEY, String.class);
        Optional<String> inline = config.getOptionalValue("mp.jwt.verify.publickey", String.class);
        Optional<String> issuer = config.getOptionalValue("mp.jwt.verify.issuer", String.class);
        Optional<String> audience = audience(config);
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            if (location.isEmpty() && inline.isEmpty()) {
                throw new IllegalStateException("MP_JWT_VERIFY_PUBLICKEY_LOCATION is not set: the service needs the"
                        + " public key (PEM or JWKS; file, classpath or https URL) that verifies callers' tokens");
            }
            if (issuer.isEmpty()) {
                throw new IllegalStateException(
                        "MP_JWT_VERIFY_ISSUER is not set: the service accepts tokens of one issuer only");
            }
            if (audience.isEmpty()) {
                // Quarkus' convention (the audience is optional); the deploy files set it and their checks require it
                LOG.warn(
                        "MP_JWT_VERIFY_AUDIENCES is not set: tokens are accepted whatever their aud, including those the"
                                + " issuer minted for other applications. Set it to the audience this service's tokens are minted for");
            }
        }
        Optional<String> audiences = config.getOptionalValue(AUDIENCES, String.class);
        if (audiences.isPresent()
                && Arrays.stream(audiences.get().split(",", -1)).anyMatch(a -> a.isBlank() || !a.equals(a.strip()))) {
            // SmallRye JWT compares each comma-separated entry as it is: " api" would never match a token's "api"
            throw new IllegalStateException("MP_JWT_VERIFY_AUDIENCES '" + audiences.get()
                    + "' has an empty entry or spaces" + " around a comma: separate the audiences with commas only");
        }
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT
                && location.map(DevJwtKeys::isDevKey).orElse(false)) {
            String token = Jwt.issuer(issuer.orElse("reelvault-dev"))
                    .audience(audience.orElse("reelvault-dev"))
                    .subject("dev-user")
                    .groups(Set.of("user", "pipeline"))
                    .expiresIn(Duration.ofDays(1))
                    .sign();
            LOG.infof(
                    "dev mode: a throwaway key pair verifies tokens; a token for user 'dev-user' (groups user,"
                            + " pipeline), valid 24 h, also at GET /dev/token?sub=NAME:%n%n  export TOKEN=%s%n",
                    token);
        }
    }

    /**
     * The first of {@code mp.jwt.verify.audiences} (comma-separated; a token must name at least one of them in
     * {@code aud}): the one the dev tokens carry. Empty when none is configured.
     */
    public static Optional<String> audience(Config config) {
        return config.getOptionalValue(AUDIENCES, String.class)
                .flatMap(v -> Arrays.stream(v.split(","))
                        .map(String::trim)
                        .filter(a -> !a.isEmpty())
                        .findFirst());
    }
}
