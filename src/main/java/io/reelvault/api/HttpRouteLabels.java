package io.reelvault.api;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Keeps the {@code method} and {@code uri} labels of Quarkus' HTTP server meters to closed sets.
 *
 * <p>{@code method}: the methods of RFC 9110 and PATCH ({@link #METHODS}); any other becomes {@value #OTHER}. Vert.x
 * accepts any token as a method and Quarkus' binder measures every request, before any handler could refuse it, with
 * the request's own method as the tag: {@code curl -X FOO1 /}, {@code -X FOO2 /}, ... would each make a new series.
 * Mapping is enough for the registry's own cache too: Micrometer (1.16) remembers a pre-filter id only when it creates
 * a meter, so an invented method that maps onto the existing {@code OTHER} meter is looked up, never stored
 * ({@code HttpMetricCardinalityTest} counts both).
 *
 * <p>{@code uri}: a closed set: this application's route
 * templates, the replacements of {@code quarkus.micrometer.binder.http-server.match-patterns} ({@code /storage/{key}})
 * and Quarkus' own values ({@code NOT_FOUND}, {@code REDIRECTION}, {@code root}, {@code UNKNOWN},
 * {@code /cors-preflight}). Anything else becomes {@value #UNMATCHED}.
 *
 * <p>Why: Quarkus labels a request with its route template when JAX-RS matched one, and with {@code NOT_FOUND}
 * for an unmatched 404, but with the <em>raw path</em> in the other cases where no resource method matched:
 * a 405 ({@code PATCH /api/v1/uploads/upload_...}), an {@code OPTIONS} request that is not a complete CORS
 * preflight, a request reset before routing. Every such path (ids, job names; chosen by any caller) would
 * make new series without bound; Quarkus' {@code max-uri-tags} cap (100 values) would then stop recording new
 * routes altogether.
 *
 * <p>The templates are read from the {@code @Path} annotations of the JAX-RS resources (CDI beans) when the
 * first meter of the HTTP server is mapped (not during start-up), so a new resource method needs no change here. The filter maps meter ids, before Quarkus'
 * cap counts them.
 */
@Singleton
public class HttpRouteLabels {
    /** The {@code uri} value of a request that matched no route of this application. */
    public static final String UNMATCHED = "UNMATCHED";
    /** The {@code method} value of a request whose method is none of {@link #METHODS}. */
    public static final String OTHER = "OTHER";
    /** The methods that keep their own {@code method} value: RFC 9110's and PATCH (RFC 5789). */
    static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");
    /** What Quarkus itself puts in {@code uri} when no template applies, without a raw path. */
    static final Set<String> QUARKUS_VALUES = Set.of("NOT_FOUND", "REDIRECTION", "root", "UNKNOWN", "/cors-preflight");

    /** The package of this application's classes, the JAX-RS resources among them. */
    static final String APPLICATION_PACKAGE = "io.reelvault.";

    private static final String MATCH_PATTERNS = "quarkus.micrometer.binder.http-server.match-patterns";
    private static final Pattern SLASHES = Pattern.compile("/{2,}");

    @Produces
    @Singleton
    MeterFilter routeTemplatesOnly(BeanManager beans) {
        // the allowed values are read when the first HTTP server meter is made, not here, at start-up: reading the
        // resources' annotations (every annotation of every method, OpenAPI's too, each type a new proxy class) was
        // 50-60 ms of a 1.5 s start (async-profiler, wall clock, main thread)
        return filter(() -> allowedValues(beans));
    }

    /** The {@code uri} values of this application: Quarkus' own, its route templates, the match patterns' values. */
    static Set<String> allowedValues(BeanManager beans) {
        Set<String> allowed = new TreeSet<>(QUARKUS_VALUES);
        // only this application's classes: reading the annotations of every bean class (Quarkus' own, hundreds) was
        // 0.1-0.3 s, and none of them is a JAX-RS resource
        allowed.addAll(templates(beans.getBeans(Object.class, Any.Literal.INSTANCE).stream()
                .map(Bean::getBeanClass)
                .filter(c -> c.getName().startsWith(APPLICATION_PACKAGE))
                .toList()));
        allowed.addAll(matchPatternValues(ConfigProvider.getConfig()
                .getOptionalValues(MATCH_PATTERNS, String.class)
                .orElse(List.of())));
        return allowed;
    }

    /** The filter over a given set of allowed {@code uri} values (and the standard methods). */
    static MeterFilter filter(Set<String> allowed) {
        Set<String> values = Set.copyOf(allowed);
        return filter(() -> values);
    }

    /**
     * The filter over the allowed {@code uri} values that {@code allowed} gives, asked once, when the first meter of
     * the HTTP server is mapped (any other meter is left alone without asking).
     */
    static MeterFilter filter(Supplier<Set<String>> allowed) {
        return new MeterFilter() {
            private volatile Set<String> values;

            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("http.server")) {
                    return id;
                }
                Meter.Id mapped = id;
                String method = id.getTag("method");
                if (method != null && !METHODS.contains(method)) {
                    mapped = mapped.withTag(Tag.of("method", OTHER));
                }
                String uri = id.getTag("uri");
                if (uri != null && !values().contains(uri)) {
                    mapped = mapped.withTag(Tag.of("uri", UNMATCHED));
                }
                return mapped;
            }

            private Set<String> values() {
                Set<String> known = values;
                if (known == null) {
                    synchronized (this) {
                        known = values;
                        if (known == null) {
                            values = known = Set.copyOf(allowed.get());
                        }
                    }
                }
                return known;
            }
        };
    }

    /** The route templates of the JAX-RS resource methods among these classes, as Quarkus writes them. */
    static Set<String> templates(Collection<Class<?>> classes) {
        Set<String> templates = new TreeSet<>();
        for (Class<?> type : classes) {
            Path base = type.getAnnotation(Path.class);
            if (base == null) {
                continue;
            }
            for (Method method : type.getMethods()) {
                if (isResourceMethod(method)) {
                    Path sub = method.getAnnotation(Path.class);
                    templates.add(normalize(base.value() + "/" + (sub == null ? "" : sub.value())));
                }
            }
        }
        return templates;
    }

    private static boolean isResourceMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            if (a.annotationType().isAnnotationPresent(HttpMethod.class)) {
                return true;
            }
        }
        return false;
    }

    /** Leading slash, no repeated or trailing slash (Quarkus' label form). */
    static String normalize(String path) {
        String p = SLASHES.matcher("/" + path).replaceAll("/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** The replacement values of {@code regex=replacement} entries. */
    static Set<String> matchPatternValues(List<String> entries) {
        Set<String> values = new TreeSet<>();
        for (String entry : entries) {
            int eq = entry.lastIndexOf('=');
            if (eq > 0) {
                values.add(entry.substring(eq + 1).trim());
            }
        }
        return values;
    }
}
