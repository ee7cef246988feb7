package io.reelvault.api;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UserId;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The authenticated caller of the current request, parsed once from the verified token. */
@RequestScoped
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
