package io.reelvault.api;

import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * 201 Created answers with an absolute {@code Location}. Its base is read from the request while the resource method
 * runs, on the request's own thread: the answer itself is made later, in a callback that may run on another thread
 * after the store answers, where the request is no longer at hand (the service does not carry the CDI request context
 * into callbacks: {@code quarkus.arc.context-propagation.enabled=false}).
 */
final class Created {
    private final URI base;

    private Created(URI base) {
        this.base = base;
    }

    /** The current request's base URL ({@code http://host:port/} and the root path); call it in the method itself. */
    static Created under(UriInfo request) {
        return new Created(request.getBaseUri());
    }

    /** The absolute URL of {@code path}, relative to the base, e.g. {@code api/v1/tus/tus_...}. */
    URI uri(String path) {
        return base.resolve(path);
    }

    /** @param path relative to the base, e.g. {@code api/v1/uploads/upload_...} */
    <T> RestResponse<T> at(String path, T entity) {
        return RestResponse.ResponseBuilder.<T>created(base.resolve(path))
                .entity(entity)
                .build();
    }
}
