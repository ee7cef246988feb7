package io.reelvault.api.problem;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.reelvault.error.ReelvaultException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every exception a REST resource lets escape becomes {@code application/problem+json}. The
 * specific types are listed so that they win over Quarkus' built-in mappers for them.
 */
public class ProblemMappers {
    private final Problems problems;

    public ProblemMappers(Problems problems) {
        this.problems = problems;
    }

    @ServerExceptionMapper
    public Response domain(ReelvaultException e) {
        return map(e);
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class,
            AuthenticationCompletionException.class, ForbiddenException.class})
    public Response security(RuntimeException e) {
        return map(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return map(e);
    }

    @ServerExceptionMapper
    public Response any(Throwable e) {
        return map(e);
    }

    private Response map(Throwable e) {
        Problems.Answer answer = problems.answer(e);
        Response.ResponseBuilder rb = Response.status(answer.status()).entity(answer.body());
        answer.headers().forEach(rb::header);
        return rb.build();
    }
}
