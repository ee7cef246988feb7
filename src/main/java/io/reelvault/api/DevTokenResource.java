package io.reelvault.api;

import io.quarkus.arc.profile.IfBuildProfile;
import io.reelvault.config.StartupChecks;
import io.reelvault.model.UserId;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Dev mode only (absent from the packaged application): mints a 24 h token signed with the
 * throwaway dev key, for the configured issuer and (first) audience, e.g.
 * {@code GET /dev/token?sub=alice&pipeline=true}.
 */
@Path("/dev/token")
@IfBuildProfile("dev")
public class DevTokenResource {
    @ConfigProperty(name = "mp.jwt.verify.issuer", defaultValue = "reelvault-dev")
    String issuer;

    @Inject
    Config config;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String token(@RestQuery String sub, @RestQuery boolean pipeline) {
        UserId user = UserId.parse(sub == null ? "dev-user" : sub);
        Set<String> groups = new HashSet<>(Set.of("user"));
        if (pipeline) {
            groups.add("pipeline");
        }
        return Jwt.issuer(issuer)
                .audience(StartupChecks.audience(config).orElse("reelvault-dev"))
                .subject(user.value())
                .groups(groups)
                .expiresIn(Duration.ofDays(1))
                .sign();
    }
}
