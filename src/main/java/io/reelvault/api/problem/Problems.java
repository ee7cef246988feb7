package io.reelvault.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.smallrye.mutiny.CompositeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * Turns any failure into a problem document plus status and headers: the one translation used by
 * the REST exception mappers and the Vert.x routes alike. 5xx answers carry only a generic detail
 * and an incident id; the cause goes to the log under that id. A {@code shutting_down} refusal is no incident: it is
 * the replica doing what it was told (logged once, by the shutdown gate), so each refused request logs nothing.
 */
@ApplicationScoped
public class Problems {
    private static final Logger LOG = Logger.getLogger(Problems.class);

    private final ObjectMapper json;

    public Problems(ObjectMapper json) {
        this.json = json;
    }

    /** A problem ready to send. */
    public record Answer(int status, Map<String, String> headers, String body) {}

    public Answer answer(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof ReelvaultException r) {
            if (r.code().status() >= 500 && r.code() != ErrorCode.SHUTTING_DOWN) {
                String incident = incident(r.getCause() != null ? r.getCause() : r);
                return render(
                        r.code(),
                        r.code() == ErrorCode.INTERNAL_ERROR ? "unexpected failure" : r.detail(),
                        incident,
                        r.headers());
            }
            return render(r.code(), r.detail(), null, r.headers());
        }
        if (e instanceof UnauthorizedException
                || e instanceof AuthenticationFailedException
                || e instanceof AuthenticationCompletionException) {
            return render(
                    ErrorCode.UNAUTHENTICATED,
                    "a valid bearer token is required",
                    null,
                    Map.of("WWW-Authenticate", "Bearer"));
        }
        if (e instanceof ForbiddenException) {
            return render(ErrorCode.FORBIDDEN, "this caller may not do this", null, Map.of());
        }
        if (e instanceof NotFoundException) {
            return render(ErrorCode.NOT_FOUND, "no such resource", null, Map.of());
        }
        if (e instanceof NotAllowedException) {
            return render(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here", null, Map.of());
        }
        if (e instanceof NotSupportedException) {
            return render(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "this Content-Type is not accepted here", null, Map.of());
        }
        if (e instanceof ClientErrorException
                || e instanceof JsonProcessingException
                || e instanceof WebApplicationException w && w.getResponse().getStatus() < 500) {
            return render(ErrorCode.INVALID_REQUEST, "the request is malformed", null, Map.of());
        }
        return render(ErrorCode.INTERNAL_ERROR, "unexpected failure", incident(e), Map.of());
    }

    private Answer render(ErrorCode code, String detail, String instance, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", Problem.MEDIA_TYPE);
        try {
            return new Answer(code.status(), headers, json.writeValueAsString(Problem.of(code, detail, instance)));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String incident(Throwable cause) {
        String id = "urn:uuid:" + UUID.randomUUID();
        LOG.errorf(cause, "incident %s", id);
        return id;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof CompositeException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
