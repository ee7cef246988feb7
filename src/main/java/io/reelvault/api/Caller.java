package io.reelvault.api;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UserId;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The authenticated caller of the current request, from the verified token. One instance for all requests (no bean
 * made per request, no client proxy): the token it reads is the request's own, through its request-scoped proxy.
 */
@Singleton
public class Caller {
    /** The group that marks pipeline workers. */
    public static final String PIPELINE = "pipeline";

    @Inject
    JsonWebToken token;

    /** The user id from the token's {@code sub}; {@code invalid_subject} (401) when it is not a valid id. */
    public UserId user() {
        if (token == null || token.getSubject() == null) {
            throw new ReelvaultException(
                    ErrorCode.UNAUTHENTICATED,
                    "a valid bearer token is required",
                    null,
                    Map.of("WWW-Authenticate", "Bearer"));
        }
        return UserId.parse(token.getSubject());
    }

    public boolean isPipeline() {
        return token != null && token.getGroups() != null && token.getGroups().contains(PIPELINE);
    }
}
