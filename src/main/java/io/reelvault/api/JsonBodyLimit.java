package io.reelvault.api;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.reelvault.config.ReelvaultConfig;
import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Instance;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds every body a resource method takes as an entity (the JSON bodies; uploads stream from the request and are not
 * entities): over {@value #DEFAULT_LIMIT} bytes, or the {@link Limit} of the entity parameter, the answer is 413
 * {@code payload_too_large}. A Content-Length over the limit is refused before a byte is read; otherwise at most the
 * limit plus one byte is read (so a chunked body is counted as it arrives), and only a body within the limit is handed
 * to Jackson, which therefore never builds anything from an oversized one. A body still arriving after
 * {@code REELVAULT_UPLOAD_IDLE_TIMEOUT} is cut (its connection closed, its read ended): a trickled body cannot hold a
 * worker thread.
 */
@Provider
public class JsonBodyLimit implements ReaderInterceptor {
    private final CurrentVertxRequest current;
    /** Looked up when used: providers are made before the configuration mapping is. */
    private final Instance<ReelvaultConfig> config;

    public JsonBodyLimit(CurrentVertxRequest current, Instance<ReelvaultConfig> config) {
        this.current = current;
        this.config = config;
    }

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
        byte[] body = readWithin(context, limit + 1);
        if (body.length > limit) {
            throw tooLarge(limit);
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }

    /**
     * Reads up to {@code max} bytes, all of which must arrive within {@code REELVAULT_UPLOAD_IDLE_TIMEOUT}: a body still
     * arriving then has its connection closed and the worker thread blocked reading it (a JSON body over 10 KiB is read
     * on a worker) interrupted, which ends the read at once. A body already in memory (the small ones) has no deadline
     * to keep.
     */
    private byte[] readWithin(ReaderInterceptorContext context, int max) throws IOException {
        RoutingContext ctx = current.getCurrent();
        if (ctx == null || ctx.request().isEnded()) {
            return context.getInputStream().readNBytes(max);
        }
        HttpServerRequest request = ctx.request();
        Thread reader = Thread.currentThread();
        boolean[] reading = {true};
        AtomicBoolean cut = new AtomicBoolean();
        long timer = ctx.vertx()
                .setTimer(Math.max(1, config.get().uploads().idleTimeout().toMillis()), id -> {
                    synchronized (reading) {
                        if (reading[0] && !request.isEnded() && cut.compareAndSet(false, true)) {
                            request.connection().close();
                            reader.interrupt(); // only while it reads this body: see the finally block
                        }
                    }
                });
        try {
            return context.getInputStream().readNBytes(max);
        } catch (IOException e) {
            if (cut.get()) {
                throw new ReelvaultException(ErrorCode.REQUEST_TIMEOUT, "the JSON body did not arrive in time", e);
            }
            throw e;
        } finally {
            synchronized (reading) {
                reading[0] = false;
            }
            ctx.vertx().cancelTimer(timer);
            if (cut.get()) {
                Thread.interrupted(); // the pooled thread goes back clean
            }
        }
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
        return new ReelvaultException(
                ErrorCode.PAYLOAD_TOO_LARGE, "the JSON body is larger than the limit of " + limit + " bytes");
    }
}
