package io.reelvault.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.gaul.s3proxy.CrossOriginResourceSharing;

/**
 * The bucket's CORS rule as we ship it ({@code deploy/s3-cors-config.json}, which {@code BucketConfigurationTest}
 * keeps equal to what {@code bucket setup} applies), turned into s3proxy's CORS settings: the same methods, allowed
 * and exposed headers as its {@code s3proxy.cors-allow-methods}, {@code -allow-headers} and
 * {@code s3proxy.cors-exposed-headers} properties would give, and its origins replaced by the test's, as
 * {@code bucket setup} replaces them with {@code ALLOWED_ORIGINS}. So a browser test on s3proxy meets the rule a
 * browser meets on the real bucket.
 */
public final class S3Cors {
    public static final Path SHIPPED = Path.of("deploy", "s3-cors-config.json");

    private S3Cors() {}

    /** The shipped rule with {@code origins} allowed (exact origins: quoted as s3proxy's origin regexes). */
    public static CrossOriginResourceSharing shippedRuleFor(List<String> origins) {
        JsonNode rules;
        try {
            rules = new ObjectMapper().readTree(SHIPPED.toFile()).path("CORSRules");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rules.size() != 1) {
            throw new AssertionError(SHIPPED + " must hold exactly one rule, as s3proxy takes one: " + rules);
        }
        JsonNode rule = rules.get(0);
        return new CrossOriginResourceSharing(
                origins.stream().map(Pattern::quote).toList(),
                strings(rule.path("AllowedMethods")),
                strings(rule.path("AllowedHeaders")),
                strings(rule.path("ExposeHeaders")),
                "");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
