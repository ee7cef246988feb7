package io.reelvault.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Readers that refuse what the real consumers (the Kubernetes API server, the ECS API, Docker Compose) would refuse or,
 * worse, silently ignore: unknown or misspelled fields, duplicate keys, a string where a number or boolean belongs, a
 * second YAML document, an unknown enum value.
 */
final class StrictReaders {

    private StrictReaders() {}

    /**
     * YAML into typed classes: fabric8's Kubernetes model, or records. fabric8's classes keep unknown fields in an
     * "additional properties" map (so that a client never loses data); here that map is removed, and an unknown field
     * fails like {@code kubectl apply --validate=strict} would.
     */
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new SimpleModule("strict-fabric8").setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(
                        DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
                    if (bean.getBeanClass().getName().startsWith("io.fabric8.")) {
                        builder.setAnySetter(null);
                        builder.setIgnoreUnknownProperties(false);
                    }
                    return builder;
                }
            }))
            .build();

    /** JSON with duplicate keys refused, for the ECS task definition. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /**
     * One YAML document into {@code type}. (FAIL_ON_TRAILING_TOKENS cannot say "one document" here: fabric8's own
     * deserializers, Quantity's for one, read subtrees through the mapper, which would then fail every value.)
     */
    static <T> T yaml(String text, Class<T> type) throws IOException {
        try (MappingIterator<JsonNode> documents =
                YAML.readerFor(JsonNode.class).readValues(text)) {
            int count = documents.readAll().size();
            if (count != 1) {
                throw new IOException(count + " YAML documents, 1 expected");
            }
        }
        return YAML.readValue(text, type);
    }

    /**
     * JSON into a model class of the AWS SDK (here the ECS API's {@code RegisterTaskDefinitionRequest}), member by
     * member against the SDK's own field list: an unknown member, a wrong JSON type or an enum value the API does not
     * have is a problem, as {@code aws ecs register-task-definition --cli-input-json} would report it before sending
     * anything. (The SDK's ECS model marks no member required; the checks test the ones they need.)
     */
    static <T extends SdkPojo> T awsModel(String json, SdkPojo builder, List<String> problems)
            throws JsonProcessingException {
        JsonNode root = JSON.readTree(json);
        @SuppressWarnings("unchecked")
        T built = (T) pojo(root, builder, "$", problems);
        if (built != null) {
            unknownEnums(built, "$", problems);
        }
        return built;
    }

    private static Object pojo(JsonNode node, SdkPojo builder, String path, List<String> problems) {
        if (!node.isObject()) {
            problems.add(path + ": an object expected, found " + node.getNodeType());
            return null;
        }
        Map<String, SdkField<?>> fields = new HashMap<>();
        for (SdkField<?> f : builder.sdkFields()) {
            fields.put(f.locationName(), f);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            SdkField<?> field = fields.get(member.getKey());
            if (field == null) {
                problems.add(
                        path + ": unknown member \"" + member.getKey() + "\" (the API has " + fields.keySet() + ")");
                continue;
            }
            Object value = value(field, member.getValue(), path + "." + member.getKey(), problems);
            if (value != null) {
                field.set(builder, value);
            }
        }
        return ((SdkBuilder<?, ?>) builder).build();
    }

    private static Object value(SdkField<?> field, JsonNode node, String path, List<String> problems) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.SDK_POJO) {
            return pojo(node, field.constructor().get(), path, problems);
        }
        if (type == MarshallingType.LIST) {
            if (!node.isArray()) {
                problems.add(path + ": an array expected, found " + node.getNodeType());
                return null;
            }
            SdkField<?> member = field.getTrait(ListTrait.class).memberFieldInfo();
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                Object v = value(member, node.get(i), path + "[" + i + "]", problems);
                if (v != null) {
                    list.add(v);
                }
            }
            return list;
        }
        if (type == MarshallingType.MAP) {
            if (!node.isObject()) {
                problems.add(path + ": an object expected, found " + node.getNodeType());
                return null;
            }
            SdkField<?> valueField = field.getTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> map = new HashMap<>();
            node.fields()
                    .forEachRemaining(e ->
                            map.put(e.getKey(), value(valueField, e.getValue(), path + "." + e.getKey(), problems)));
            return map;
        }
        if (type == MarshallingType.STRING && node.isTextual()) {
            return node.textValue();
        }
        if (type == MarshallingType.INTEGER && node.isInt()) {
            return node.intValue();
        }
        if (type == MarshallingType.LONG && node.canConvertToLong() && node.isIntegralNumber()) {
            return node.longValue();
        }
        if (type == MarshallingType.BOOLEAN && node.isBoolean()) {
            return node.booleanValue();
        }
        if ((type == MarshallingType.DOUBLE || type == MarshallingType.FLOAT) && node.isNumber()) {
            return type == MarshallingType.DOUBLE ? (Object) node.doubleValue() : (Object) node.floatValue();
        }
        problems.add(path + ": a " + type + " expected, found " + node.getNodeType() + " " + node);
        return null;
    }

    /** The SDK keeps an unknown enum value as {@code UNKNOWN_TO_SDK_VERSION}; the API would refuse it. */
    private static void unknownEnums(SdkPojo pojo, String path, List<String> problems) {
        for (Method raw : pojo.getClass().getMethods()) {
            String name = raw.getName();
            if (raw.getParameterCount() != 0 || !(name.endsWith("AsString") || name.endsWith("AsStrings"))) {
                continue;
            }
            String typedName = name.substring(0, name.lastIndexOf("As"));
            try {
                Object typed = pojo.getClass().getMethod(typedName).invoke(pojo);
                Object rawValue = raw.invoke(pojo);
                List<?> values = typed instanceof List<?> l ? l : Collections.singletonList(typed);
                for (Object v : values) {
                    if (v instanceof Enum<?> e && e.name().equals("UNKNOWN_TO_SDK_VERSION")) {
                        problems.add(path + "." + typedName + ": " + rawValue + " is not a value the API knows");
                    }
                }
            } catch (NoSuchMethodException notAnEnumPair) {
                // an AsString method without a typed twin: nothing to check
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
        }
        for (SdkField<?> f : pojo.sdkFields()) {
            Object v = f.getValueOrDefault(pojo);
            if (v instanceof SdkPojo child) {
                unknownEnums(child, path + "." + f.locationName(), problems);
            } else if (v instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof SdkPojo child) {
                        unknownEnums(child, path + "." + f.locationName() + "[" + i + "]", problems);
                    }
                }
            } else if (v instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (e.getValue() instanceof SdkPojo child) {
                        unknownEnums(child, path + "." + f.locationName() + "." + e.getKey(), problems);
                    }
                }
            }
        }
    }

    /**
     * A duration as Quarkus reads one: a plain number is seconds; {@code 500ms}, {@code 5S}, {@code 30m}, {@code 2h},
     * {@code 1d} (either case); otherwise ISO-8601 ({@code PT5M}).
     */
    static Duration quarkusDuration(String value) {
        String v = value.trim();
        if (v.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        if (v.matches("(?i)\\d+ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.matches("\\d+[dD]")) {
            return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.matches("\\d+[hHmMsS]")) {
            return Duration.parse("PT" + v.toUpperCase(Locale.ROOT));
        }
        return Duration.parse(v);
    }
}
