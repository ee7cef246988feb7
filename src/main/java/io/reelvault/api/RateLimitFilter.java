package io.reelvault.api;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.reelvault.api.problem.Problems;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UserId;
import io.reelvault.ratelimit.RateLimiter.Decision;
import io.reelvault.service.RateClass;
import io.reelvault.service.RateLimits;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Applies {@link RateLimited}: takes one call from the caller's bucket and, when it is empty, answers 429
 * {@code rate_limited} with {@code Retry-After} (whole seconds, at least 1) before the resource method runs, so
 * the body of a refused upload is never read (and a client waiting on {@code Expect: 100-continue} never sends
 * it; {@link UnreadBodyDrainer} disposes of whatever it sent anyway).
 *
 * <p>Non-blocking: the caller comes from the deferred identity (authentication is not proactive), the bucket
 * from a {@code Uni}. Anonymous callers and tokens without a valid subject are not limited here: the method's
 * security check or {@link Caller} refuses them.
 */
public class RateLimitFilter {
    private final RateLimits limits;
    private final CurrentIdentityAssociation identities;
    private final Problems problems;

    public RateLimitFilter(RateLimits limits, CurrentIdentityAssociation identities, Problems problems) {
        this.limits = limits;
        this.identities = identities;
        this.problems = problems;
    }

    /** Bound to every {@code @RateLimited} method, whatever its class (the value here only satisfies javac). */
    @ServerRequestFilter
    @RateLimited(RateClass.URL)
    public Uni<Response> limit(ResourceInfo resource) {
        RateLimited limited = resource.getResourceMethod().getAnnotation(RateLimited.class);
        if (!limits.enabled() || limited == null) {
            return Uni.createFrom().nullItem();
        }
        return identities.getDeferredIdentity().chain(identity -> {
            Subject subject = subject(identity);
            if (subject == null) {
                return Uni.createFrom().nullItem();
            }
            return limits.acquire(limited.value(), subject.user(), subject.pipeline())
                    .map(decision -> decision.allowed() ? null : tooManyRequests(limited.value(), decision));
        });
    }

    record Subject(UserId user, boolean pipeline) {}

    /** The caller as {@link Caller} reads it (token {@code sub}, group {@code pipeline}); null when there is none. */
    static Subject subject(SecurityIdentity identity) {
        if (identity == null
                || identity.isAnonymous()
                || !(identity.getPrincipal() instanceof JsonWebToken token)
                || token.getSubject() == null) {
            return null;
        }
        try {
            UserId user = UserId.parse(token.getSubject());
            return new Subject(
                    user, token.getGroups() != null && token.getGroups().contains(Caller.PIPELINE));
        } catch (ReelvaultException invalidSubject) {
            return null; // the resource answers invalid_subject
        }
    }

    private Response tooManyRequests(RateClass rateClass, Decision decision) {
        long seconds = Math.max(1, (decision.retryAfter().toMillis() + 999) / 1000);
        String what = switch (rateClass) {
            case UPLOAD -> "uploads";
            case URL -> "signed URLs";
            case LIST -> "listings";
        };
        Problems.Answer answer = problems.answer(new ReelvaultException(
                ErrorCode.RATE_LIMITED,
                "too many " + what + " for this caller; retry in " + seconds + " s",
                null,
                Map.of("Retry-After", Long.toString(seconds))));
        Response.ResponseBuilder response = Response.status(answer.status()).entity(answer.body());
        answer.headers().forEach(response::header);
        return response.build();
    }
}
