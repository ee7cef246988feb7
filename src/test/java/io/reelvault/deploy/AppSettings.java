package io.reelvault.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelvault.config.ReelvaultConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.SdkSystemSetting;

/**
 * What the application reads, derived from its own sources rather than listed by hand: the environment names that
 * {@code application.properties} maps ({@code ${NAME:...}}), the rows of the README's Configuration table, the keys
 * of {@link ReelvaultConfig}, the run-time keys of every Quarkus extension on the class path (each extension jar's
 * {@code META-INF/quarkus-config-doc/quarkus-config-model.json}), the MicroProfile JWT keys SmallRye JWT reads, and
 * the environment variables the AWS SDK reads.
 */
final class AppSettings {

    static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    static final Path README = Path.of("README.md");

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final String QUARKUS_MODEL = "META-INF/quarkus-config-doc/quarkus-config-model.json";

    /** A Quarkus configuration key as its extension documents it. */
    record QuarkusKey(String property, String env, String phase, String defaultValue) {
        boolean runTime() {
            return "RUN_TIME".equals(phase);
        }
    }

    /** One row of the README's Configuration table: the names in its first cell, abbreviations expanded. */
    record TableRow(int line, List<String> names) {}

    private static AppSettings instance;

    /** application.properties without profile-specific keys ({@code %test.…}). */
    final Map<String, String> properties;
    /** The environment names application.properties maps to keys: {@code USE_LOCAL_STORAGE}, {@code S3_ENDPOINT_URL}, … */
    final Set<String> propertiesEnv;
    /** Property key → the environment name its value is taken from ({@code reelvault.storage.use-local → USE_LOCAL_STORAGE}). */
    final Map<String, String> keyToPropertiesEnv;

    final List<TableRow> readmeTable;
    /** Every key of {@link ReelvaultConfig}: {@code reelvault.storage.s3.part-size}, … */
    final Set<String> reelvaultKeys;
    /** The {@code @WithDefault} of those that have one. */
    final Map<String, String> reelvaultDefaults;
    /** Environment name → Quarkus key, for every key documented by an extension on the class path. */
    final Map<String, QuarkusKey> quarkusKeys;
    /** MicroProfile JWT keys read by SmallRye JWT: {@code mp.jwt.verify.issuer}, … */
    final Set<String> mpJwtKeys;
    /** Environment variables the AWS SDK reads: {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID}, … */
    final Set<String> awsSdkEnv;

    /** From the texts of application.properties and the README (the tests also feed edited copies). */
    AppSettings(String propertiesText, List<String> readmeLines) throws IOException {
        Properties loaded = new Properties();
        loaded.load(new StringReader(propertiesText));
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> keyToEnv = new HashMap<>();
        Set<String> env = new TreeSet<>();
        for (String key : loaded.stringPropertyNames()) {
            if (key.startsWith("%")) {
                continue;
            }
            String value = loaded.getProperty(key);
            props.put(key, value);
            Matcher m = ENV_REFERENCE.matcher(value);
            while (m.find()) {
                env.add(m.group(1));
                keyToEnv.putIfAbsent(key, m.group(1));
            }
        }
        this.properties = Collections.unmodifiableMap(props);
        this.propertiesEnv = Collections.unmodifiableSet(env);
        this.keyToPropertiesEnv = Collections.unmodifiableMap(keyToEnv);
        this.readmeTable = List.copyOf(readTable(readmeLines));
        Set<String> keys = new TreeSet<>();
        Map<String, String> defaults = new HashMap<>();
        mappingKeys(
                ReelvaultConfig.class,
                ReelvaultConfig.class.getAnnotation(ConfigMapping.class).prefix(),
                keys,
                defaults);
        this.reelvaultKeys = Collections.unmodifiableSet(keys);
        this.reelvaultDefaults = Collections.unmodifiableMap(defaults);
        this.quarkusKeys = Collections.unmodifiableMap(quarkusModel());
        this.mpJwtKeys = Collections.unmodifiableSet(mpJwtKeys());
        Set<String> aws = new TreeSet<>();
        for (SdkSystemSetting s : SdkSystemSetting.values()) {
            if (s.environmentVariable() != null) {
                aws.add(s.environmentVariable());
            }
        }
        this.awsSdkEnv = Collections.unmodifiableSet(aws);
    }

    static synchronized AppSettings get() {
        if (instance == null) {
            try {
                instance = new AppSettings(Files.readString(PROPERTIES), Files.readAllLines(README));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The usual rule of SmallRye Config: {@code reelvault.uploads.max-size} is {@code REELVAULT_UPLOADS_MAX_SIZE}. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Every name in the README's Configuration table. */
    Set<String> readmeEnv() {
        Set<String> all = new TreeSet<>();
        readmeTable.forEach(row -> all.addAll(row.names()));
        return all;
    }

    /**
     * The environment variables a deployment may set: the table's rows, the names application.properties maps, and
     * Quarkus run-time keys. Build-time Quarkus keys are not among them: they are fixed when the jar is built, and
     * setting them in a container's environment changes nothing.
     */
    boolean readsFromEnvironment(String name) {
        if (readmeEnv().contains(name) || propertiesEnv.contains(name)) {
            return true;
        }
        QuarkusKey quarkus = quarkusKeys.get(name);
        return quarkus != null && quarkus.runTime();
    }

    /** Why {@code name} is not one the application reads, for a failure message. */
    String whyNotRead(String name) {
        QuarkusKey quarkus = quarkusKeys.get(name);
        if (quarkus != null && !quarkus.runTime()) {
            return name + " is " + quarkus.property() + ", fixed at build time (" + quarkus.phase()
                    + "): set it in application.properties";
        }
        return name
                + " is read by nothing: not in the README's Configuration table, not mapped in application.properties, "
                + "not a Quarkus run-time key";
    }

    /**
     * Where {@code name} comes from, or empty when it is no real setting: mapped by application.properties, a key of
     * {@link ReelvaultConfig}, a MicroProfile JWT key, a Quarkus run-time key, or a variable the AWS SDK reads.
     */
    Optional<String> source(String name) {
        if (propertiesEnv.contains(name)) {
            return Optional.of("application.properties");
        }
        if (name.startsWith("REELVAULT_")
                && reelvaultKeys.stream().anyMatch(k -> envName(k).equals(name))) {
            return Optional.of("ReelvaultConfig");
        }
        if (name.startsWith("MP_JWT_")
                && mpJwtKeys.stream().anyMatch(k -> envName(k).equals(name))) {
            return Optional.of("MicroProfile JWT");
        }
        QuarkusKey quarkus = quarkusKeys.get(name);
        if (name.startsWith("QUARKUS_") && quarkus != null && quarkus.runTime()) {
            return Optional.of(quarkus.property());
        }
        if (awsSdkEnv.contains(name)) {
            return Optional.of("AWS SDK");
        }
        return Optional.empty();
    }

    /**
     * How a container starts the application: its environment, and the JVM's system properties (which SmallRye Config
     * ranks above the environment). {@code java.io.tmpdir} is the JVM's default on Linux unless a {@code -D} sets it.
     */
    record Launch(Map<String, String> env, Map<String, String> systemProperties) {
        Launch {
            Map<String, String> sys = new HashMap<>(Map.of("java.io.tmpdir", "/tmp"));
            sys.putAll(systemProperties);
            env = Map.copyOf(env);
            systemProperties = Map.copyOf(sys);
        }
    }

    /**
     * A setting's value as the application sees it when started so: system property, environment, application.properties
     * (its expressions resolved), the default of {@link ReelvaultConfig} or of the Quarkus extension.
     */
    Optional<String> setting(String key, Launch launch) {
        String value = launch.systemProperties().get(key);
        if (value == null) {
            value = launch.env().get(envName(key));
        }
        if (value == null) {
            value = properties.get(key);
        }
        if (value == null) {
            value = reelvaultDefaults.get(key);
        }
        if (value == null) {
            QuarkusKey quarkus = quarkusKeys.get(envName(key));
            value = quarkus == null ? null : quarkus.defaultValue();
        }
        return Optional.ofNullable(value == null ? null : resolve(value, launch));
    }

    /** The HTTP port the application listens on when started so (QUARKUS_HTTP_PORT, quarkus.http.port, Quarkus' default). */
    int httpPort(Launch launch) {
        return Integer.parseInt(setting("quarkus.http.port", launch).orElseThrow());
    }

    /** Whether health and metrics answer on the management interface ({@code quarkus.management.enabled}, build time). */
    boolean managementEnabled() {
        return Boolean.parseBoolean(properties.getOrDefault("quarkus.management.enabled", "false"));
    }

    /**
     * The port health and metrics answer on when started so: the management interface's (QUARKUS_MANAGEMENT_PORT,
     * quarkus.management.port, Quarkus' default 9000) when it is enabled, else the HTTP port.
     */
    int operatorsPort(Launch launch) {
        return managementEnabled()
                ? Integer.parseInt(setting("quarkus.management.port", launch).orElseThrow())
                : httpPort(launch);
    }

    /** Resolves {@code ${NAME:default}} and {@code ${key}} expressions, nested ones included. */
    private String resolve(String value, Launch launch) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            out.append(value, i, start);
            int depth = 0;
            int end = -1;
            int colon = -1;
            for (int j = start + 2; j < value.length() && end < 0; j++) {
                char c = value.charAt(j);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    if (depth == 0) {
                        end = j;
                    } else {
                        depth--;
                    }
                } else if (c == ':' && depth == 0 && colon < 0 && value.charAt(j - 1) != '$') {
                    colon = j;
                }
            }
            if (end < 0) {
                throw new IllegalStateException("unbalanced expression: " + value);
            }
            String name = value.substring(start + 2, colon < 0 ? end : colon);
            Optional<String> found = name.matches("[A-Z][A-Z0-9_]*")
                    ? Optional.ofNullable(launch.env().get(name))
                    : setting(name, launch);
            if (found.isPresent()) {
                out.append(found.get());
            } else if (colon >= 0) {
                out.append(resolve(value.substring(colon + 1, end), launch));
            } else {
                throw new IllegalStateException("no value for ${" + name + "} in " + value);
            }
            i = end + 1;
        }
        return out.toString();
    }

    /**
     * The README's Configuration table against the code: every name in it is a real setting ({@link #source}), every
     * key of {@link ReelvaultConfig} and every environment name application.properties maps has a row, and no name has
     * two rows.
     */
    List<String> tableProblems() {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (TableRow row : readmeTable) {
            for (String name : row.names()) {
                if (!seen.add(name)) {
                    problems.add(README + ":" + row.line() + ": " + name + " has a second row");
                }
                if (source(name).isEmpty()) {
                    problems.add(README + ":" + row.line() + ": " + name
                            + " is no setting: not mapped in application.properties, "
                            + "not a key of ReelvaultConfig (REELVAULT_*), MicroProfile JWT (MP_JWT_*) or a Quarkus run-time key "
                            + "(QUARKUS_*), not read by the AWS SDK");
                }
            }
        }
        for (String key : reelvaultKeys) {
            String mapped = keyToPropertiesEnv.get(key);
            if (!seen.contains(envName(key)) && (mapped == null || !seen.contains(mapped))) {
                problems.add(README + ": no row for " + key + " (" + (mapped != null ? mapped : envName(key)) + ")");
            }
        }
        for (String name : propertiesEnv) {
            if (!seen.contains(name)) {
                problems.add(README + ": no row for " + name + ", which application.properties reads");
            }
        }
        return problems;
    }

    // --- README

    private static List<TableRow> readTable(List<String> lines) {
        List<TableRow> rows = new ArrayList<>();
        boolean inSection = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("## ")) {
                inSection = line.equals("## Configuration");
                continue;
            }
            if (!inSection || !line.startsWith("| `")) {
                continue;
            }
            String firstCell = line.substring(1, line.indexOf('|', 1));
            List<String> names = new ArrayList<>();
            Matcher m = BACKTICKED.matcher(firstCell);
            while (m.find()) {
                names.add(expand(m.group(1), names, i + 1));
            }
            rows.add(new TableRow(i + 1, List.copyOf(names)));
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException(README + ": no table rows under '## Configuration'");
        }
        return rows;
    }

    /** {@code ..._UPLOAD_USER_PER_MINUTE} after {@code REELVAULT_RATE_LIMITS_UPLOAD_USER_CAPACITY}: the first name's prefix before {@code _UPLOAD_}. */
    private static String expand(String name, List<String> before, int line) {
        if (!name.startsWith("...")) {
            return name;
        }
        String suffix = name.substring(3);
        int second = suffix.indexOf('_', 1);
        String firstSegment = second < 0 ? suffix : suffix.substring(0, second + 1);
        String full = before.isEmpty() ? "" : before.get(0);
        int at = full.indexOf(firstSegment);
        if (at < 0) {
            throw new IllegalStateException(README + ":" + line + ": cannot expand " + name + " from " + full);
        }
        return full.substring(0, at) + suffix;
    }

    // --- ReelvaultConfig

    private static void mappingKeys(Class<?> type, String prefix, Set<String> out, Map<String, String> defaults) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            WithName withName = m.getAnnotation(WithName.class);
            String key = prefix + "." + (withName != null ? withName.value() : kebab(m.getName()));
            Class<?> returned = m.getReturnType();
            if (returned.isInterface() && returned.getName().startsWith("io.reelvault.")) {
                mappingKeys(returned, key, out, defaults);
            } else {
                out.add(key);
                WithDefault def = m.getAnnotation(WithDefault.class);
                if (def != null) {
                    defaults.put(key, def.value());
                }
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    // --- Quarkus extensions

    private static Map<String, QuarkusKey> quarkusModel() throws IOException {
        Map<String, QuarkusKey> byEnv = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        Enumeration<URL> models = AppSettings.class.getClassLoader().getResources(QUARKUS_MODEL);
        while (models.hasMoreElements()) {
            try (InputStream in = models.nextElement().openStream()) {
                collect(json.readTree(in), byEnv);
            }
        }
        if (!byEnv.containsKey("QUARKUS_HTTP_PORT")) {
            throw new IllegalStateException("no Quarkus configuration model on the class path (" + QUARKUS_MODEL + ")");
        }
        return byEnv;
    }

    private static void collect(JsonNode node, Map<String, QuarkusKey> out) {
        if (node.isObject()) {
            if (node.path("@class").asText().endsWith(".ConfigProperty")) {
                JsonNode path = node.path("path");
                JsonNode def = node.get("defaultValue");
                QuarkusKey key = new QuarkusKey(
                        path.path("property").asText(),
                        path.path("environmentVariable").asText(),
                        node.path("phase").asText(),
                        def == null || def.isNull() ? null : def.asText());
                out.putIfAbsent(key.env(), key);
            }
            node.elements().forEachRemaining(child -> collect(child, out));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collect(child, out));
        }
    }

    private static Set<String> mpJwtKeys() {
        Set<String> keys = new TreeSet<>();
        try {
            Class<?> provider = Class.forName("io.smallrye.jwt.config.JWTAuthContextInfoProvider");
            for (Field f : provider.getDeclaredFields()) {
                ConfigProperty p = f.getAnnotation(ConfigProperty.class);
                if (p != null && p.name().startsWith("mp.jwt.")) {
                    keys.add(p.name());
                }
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("SmallRye JWT is not on the class path", e);
        }
        if (!keys.contains("mp.jwt.verify.issuer")) {
            throw new IllegalStateException("SmallRye JWT's keys were not found: " + keys);
        }
        return keys;
    }
}
