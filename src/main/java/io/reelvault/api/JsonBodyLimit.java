package io.reelvault.api;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds every body a resource method takes as an entity (the JSON bodies; uploads stream from the request and are not
 * entities): over {@value #DEFAULT_LIMIT} bytes, or the {@link Limit} of the entity parameter, the answer is 413
 * {@code payload_too_large}. A Content-Length over the limit is refused before a byte is read; otherwise at most the
 * limit plus one byte is read (so a chunked body is counted as it arrives), and only a body within the limit is handed
 * to Jackson, which therefore never builds anything from an oversized one.
 */
@Provider
public class JsonBodyLimit implements ReaderInterceptor {
    /** The limit of an entity parameter without {@link Limit}. */
    public static final int DEFAULT_LIMIT = 16 * 1024;

    /** A larger (or smaller) limit for one entity parameter, in bytes; documented in the operation. */
    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Limit {
        int value();
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        int limit = limit(context.getAnnotations());
        String declared = context.getHeaders().getFirst(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    throw tooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw new ReelvaultException(ErrorCode.INVALID_REQUEST, "Content-Length is not a number");
            }
        }
        byte[] body = context.getInputStream().readNBytes(limit + 1);
        if (body.length > limit) {
            throw tooLarge(limit);
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }

    private static int limit(Annotation[] annotations) {
        if (annotations != null) {
            for (Annotation a : annotations) {
                if (a instanceof Limit l) {
                    return l.value();
                }
            }
        }
        return DEFAULT_LIMIT;
    }

    private static ReelvaultException tooLarge(int limit) {
        return new ReelvaultException(ErrorCode.PAYLOAD_TOO_LARGE, "the JSON body is larger than the limit of " + limit + " bytes");
    }
}
