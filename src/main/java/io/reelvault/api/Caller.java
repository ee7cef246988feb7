package io.reelvault.api;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UserId;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The authenticated caller of the current request, from the verified token. One instance for all requests (no bean
 * made per request, no client proxy): the token is the principal of the request's identity, read once per call
 * through the identity association the authentication already made (injecting {@link JsonWebToken} instead would
 * make a request-scoped bean per request and look it up again for each of its methods).
 */
@Singleton
public class Caller {
    /** The group that marks pipeline workers. */
    public static final String PIPELINE = "pipeline";

    @Inject
    CurrentIdentityAssociation identities;

    /** The user id from the token's {@code sub}; {@code invalid_subject} (401) when it is not a valid id. */
    public UserId user() {
        JsonWebToken token = token();
        String subject = token == null ? null : token.getSubject();
        if (subject == null) {
            throw new ReelvaultException(
                    ErrorCode.UNAUTHENTICATED,
                    "a valid bearer token is required",
                    null,
                    Map.of("WWW-Authenticate", "Bearer"));
        }
        return UserId.parse(subject);
    }

    public boolean isPipeline() {
        JsonWebToken token = token();
        return token != null && token.getGroups() != null && token.getGroups().contains(PIPELINE);
    }

    /** The request's verified token; null when the caller is anonymous. */
    private JsonWebToken token() {
        SecurityIdentity identity = identities.getIdentity();
        return identity != null && identity.getPrincipal() instanceof JsonWebToken token ? token : null;
    }
}
