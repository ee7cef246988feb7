package io.reelvault.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Start-up rules that no extension enforces: prod refuses to start without a token verification key
 * and issuer; dev mode prints a ready token signed with its throwaway key. Neither applies to an operator
 * command ({@link CommandMode}), which verifies no token.
 */
@ApplicationScoped
public class StartupChecks {
    private static final Logger LOG = Logger.getLogger(StartupChecks.class);

    void onStart(@Observes StartupEvent event, Config config, CommandMode commandMode) {
        if (commandMode.active()) {
            return;
        }
        Optional<String> location = config.getOptionalValue(DevJwtKeys.PUBLIC_KEY, String.class);
        Optional<String> inline = config.getOptionalValue("mp.jwt.verify.publickey", String.class);
        Optional<String> issuer = config.getOptionalValue("mp.jwt.verify.issuer", String.class);
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            if (location.isEmpty() && inline.isEmpty()) {
                throw new IllegalStateException("MP_JWT_VERIFY_PUBLICKEY_LOCATION is not set: the service needs the"
                        + " public key (PEM or JWKS; file, classpath or https URL) that verifies callers' tokens");
            }
            if (issuer.isEmpty()) {
                throw new IllegalStateException("MP_JWT_VERIFY_ISSUER is not set: the service accepts tokens of one issuer only");
            }
        }
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && location.map(DevJwtKeys::isDevKey).orElse(false)) {
            String token = Jwt.issuer(issuer.orElse("reelvault-dev")).subject("dev-user")
                    .groups(Set.of("user", "pipeline")).expiresIn(Duration.ofDays(1)).sign();
            LOG.infof("dev mode: a throwaway key pair verifies tokens; a token for user 'dev-user' (groups user,"
                    + " pipeline), valid 24 h, also at GET /dev/token?sub=NAME:%n%n  export TOKEN=%s%n", token);
        }
    }
}
