package io.reelvault.storage.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;

/**
 * {@link BucketConfiguration}'s SDK objects in the AWS CLI's JSON format: {@code lifecycle()} is the content of
 * {@code deploy/s3-lifecycle-policy.json} ({@code aws s3api put-bucket-lifecycle-configuration
 * --lifecycle-configuration file://...}), {@code cors(origins)} that of {@code deploy/s3-cors-config.json} with
 * {@link BucketConfiguration#DEFAULT_ALLOWED_ORIGINS} ({@code aws s3api put-bucket-cors --cors-configuration
 * file://...}). {@link BucketConfigurationTest} keeps the committed files equal to them.
 */
final class CliJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "ID";

    private CliJson() {}

    /** {@link BucketConfiguration#lifecycle()} as CLI JSON. */
    static String lifecycle() {
        return of(BucketConfiguration.lifecycle());
    }

    /** {@link BucketConfiguration#cors(List)} as CLI JSON. */
    static String cors(List<String> allowedOrigins) {
        return of(BucketConfiguration.cors(allowedOrigins));
    }

    /**
     * Any SDK model object as AWS CLI JSON: keys are the service model's member names (the names
     * the CLI uses, e.g. {@code ID}, {@code CORSRules}, {@code Transitions}), {@code ID} first so
     * that a reader finds each rule by its name, then the others in the model's member order (map
     * entries sorted by key); unset members are left out. Pretty-printed with two-space
     * indentation, {@code \n} line ends and a trailing newline, so the same object always gives
     * the same text.
     */
    static String of(SdkPojo model) {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        Separators separators =
                Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER);
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(separators);
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        try {
            return JSON.writer(printer).writeValueAsString(tree(model)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + model.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static ObjectNode tree(SdkPojo model) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (SdkField<?> field : model.sdkFields()) {
            Object value = field.getValueOrDefault(model);
            if (value != null && !(value instanceof SdkAutoConstructList) && !(value instanceof SdkAutoConstructMap)) {
                node.set(field.memberName(), value(value));
            }
        }
        JsonNode id = node.remove(ID);
        if (id != null) {
            ObjectNode idFirst = JsonNodeFactory.instance.objectNode();
            idFirst.set(ID, id);
            idFirst.setAll(node);
            return idFirst;
        }
        return node;
    }

    private static JsonNode value(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value instanceof SdkPojo) {
            return tree((SdkPojo) value);
        }
        if (value instanceof String) {
            return nodes.textNode((String) value);
        }
        if (value instanceof Boolean) {
            return nodes.booleanNode((Boolean) value);
        }
        if (value instanceof Integer || value instanceof Long) {
            return nodes.numberNode(((Number) value).longValue());
        }
        if (value instanceof Float || value instanceof Double || value instanceof BigDecimal) {
            return nodes.numberNode(new BigDecimal(value.toString()));
        }
        if (value instanceof Instant) {
            return nodes.textNode(value.toString());
        }
        if (value instanceof Collection) {
            ArrayNode array = nodes.arrayNode();
            ((Collection<?>) value).forEach(element -> array.add(value(element)));
            return array;
        }
        if (value instanceof Map) {
            ObjectNode object = nodes.objectNode();
            Map<String, Object> sorted = new TreeMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> sorted.put(String.valueOf(k), v));
            sorted.forEach((k, v) -> object.set(k, value(v)));
            return object;
        }
        throw new IllegalArgumentException(
                "no JSON form for a " + value.getClass().getName());
    }
}
