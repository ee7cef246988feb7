package io.reelvault.api;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.reelvault.api.problem.Problems;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.reelvault.model.UserId;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Applies {@link UploadSlots} to every {@link StreamedBody} method: a caller (the token's {@code sub}) with
 * {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_CALLER} bodies (a pipeline caller:
 * {@code REELVAULT_UPLOADS_MAX_CONCURRENT_PER_PIPELINE_CALLER}) streaming in on this replica is answered 429
 * {@code too_many_uploads} with {@code Retry-After} before the method runs, so nothing of the body is read. The slot is
 * taken when the request is admitted and given back when its exchange ends, however it ends: answered, failed, cut,
 * or the client gone. Runs after the shutdown gate and before the rate limiter, so a refused upload costs no
 * rate-limit token. Callers without a valid subject take no slot (the resource refuses them).
 */
public class UploadSlotFilter {
    private final UploadSlots slots;
    private final CurrentIdentityAssociation identities;
    private final Problems problems;

    public UploadSlotFilter(UploadSlots slots, CurrentIdentityAssociation identities, Problems problems) {
        this.slots = slots;
        this.identities = identities;
        this.problems = problems;
    }

    @ServerRequestFilter(priority = Priorities.USER - 50)
    @StreamedBody
    public Uni<Response> admit(RoutingContext ctx) {
        return identities.getDeferredIdentity().map(identity -> {
            RateLimitFilter.Subject subject = RateLimitFilter.subject(identity);
            if (subject == null) {
                return null;
            }
            UserId user = subject.user();
            if (!slots.tryTake(user, subject.pipeline())) {
                Problems.Answer answer = problems.answer(new ReelvaultException(
                        ErrorCode.TOO_MANY_UPLOADS,
                        "this caller already has " + slots.max(subject.pipeline())
                                + " uploads in flight; retry when one has finished",
                        null,
                        Map.of("Retry-After", "1")));
                Response.ResponseBuilder response =
                        Response.status(answer.status()).entity(answer.body());
                answer.headers().forEach(response::header);
                return response.build();
            }
            AtomicBoolean givenBack = new AtomicBoolean();
            ctx.addEndHandler(ended -> {
                if (givenBack.compareAndSet(false, true)) {
                    slots.giveBack(user);
                }
            });
            return null;
        });
    }
}
