package io.reelvault.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
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

    @ServerExceptionMapper({
        UnauthorizedException.class,
        AuthenticationFailedException.class,
        AuthenticationCompletionException.class,
        ForbiddenException.class
    })
    public Response security(RuntimeException e) {
        return map(e);
    }

    /**
     * A JSON body Jackson cannot bind (an array or a string where an object is expected, a number out of range, nesting
     * past Jackson's limits): 400 {@code invalid_request}. Listed so that it wins over Quarkus' built-in mapper for
     * {@link MismatchedInputException}, which answered a bare 400 without a problem document.
     */
    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class})
    public Response json(Exception e) {
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
