package io.reelvault.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.kustomize.v1beta1.Kustomization;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.reelvault.deploy.AppSettings.Launch;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;

/**
 * Parses the deployment files (deploy/k8s, deploy/ecs, docker/) strictly and checks them against the application:
 * its port, health and metrics paths, the settings it reads, its user, where it writes, how long it takes to stop.
 * Each check returns its problems (empty: fine), so that a test can also show that a broken file is caught.
 */
final class DeployChecks {

    // Quarkus' conventions, relative to the non-application root (quarkus.http.non-application-root-path, "q"); the
    // health paths are build-time settings of the SmallRye Health extension, whose model is not on the test class path
    static final Map<String, String> HEALTH_PATH_KEYS = Map.of(
            "quarkus.smallrye-health.root-path", "health",
            "quarkus.smallrye-health.liveness-path", "live",
            "quarkus.smallrye-health.readiness-path", "ready",
            "quarkus.smallrye-health.startup-path", "started");
    static final String ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
    static final String ECS_TASK_ROLE = "ecs-ai-video-backend-task-role";
    static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::\\d{12}:role/([\\w+=,.@-]+)");
    /** Fargate's ceiling for a container's stopTimeout (seconds). */
    static final int FARGATE_MAX_STOP_TIMEOUT = 120;
    /** What the JVM needs after the shutdown timeout to stop and flush its logs. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(10);
    /** Static AWS credentials: AWS_ACCESS_KEY_ID, …, and the same under another name (QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_…). */
    static final Pattern STATIC_AWS_KEY_NAME = Pattern.compile("ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN");

    static final Pattern ACCESS_KEY_ID = Pattern.compile("\\b(AKIA|ASIA)[A-Z0-9]{16}\\b");
    /** Settings that carry a credential: never plain configuration in Kubernetes or ECS. */
    static final Set<String> SENSITIVE =
            Set.of("REELVAULT_REDIS_URL", "REELVAULT_SIGNING_KEY", "REELVAULT_SIGNING_KEYS_PREVIOUS");
    /**
     * Environment variables of docker/Dockerfile.jvm read by its ENTRYPOINT (the JVM's options) or by the C library,
     * not by the application. A deployment may set JAVA_OPTS (replacing the image's memory and GC options) or
     * JAVA_OPTS_APPEND.
     */
    static final Set<String> IMAGE_ENV = Set.of("JAVA_OPTS", "JAVA_OPTS_APPEND", "LANGUAGE");

    static final long MIB = 1024L * 1024;
    /**
     * Memory the JVM takes beside its heap: metaspace, code cache, thread stacks, GC structures, direct and native
     * buffers (Netty, the AWS CRT). The packaged service's non-heap stays under ~200 MiB in bench runs; the rest is
     * margin.
     */
    static final long JVM_NON_HEAP = 320 * MIB;
    /**
     * Memory one ffmpeg process may take: the heaviest media task, compressing a 1080p H.264 clip (libx264 preset
     * medium, CRF 23, MediaTools.compress), peaked at 513 MiB resident with 2 threads and 538 MiB with 4 (Debian's
     * ffmpeg 5.1, measured with /usr/bin/time -v; MediaTools.ENCODER_THREADS bounds the encoder to 2 threads, so a large
     * node's core count does not raise it); thumbnails and probes take far less. Up to REELVAULT_MEDIA_WORKERS
     * run at once, so a container's memory limit minus the JVM's maximum heap must be at least
     * {@link #JVM_NON_HEAP} + workers x this.
     */
    static final long FFMPEG_PER_WORKER = 640 * MIB;
    /** The JVM's own default for the heap without -Xmx nor -XX:MaxRAMPercentage: a quarter of the container's memory. */
    static final double DEFAULT_MAX_RAM_PERCENTAGE = 25.0;
    /**
     * Base images whose distribution packages ffmpeg (with ffprobe) for apt-get: Eclipse Temurin's JRE on Ubuntu
     * 22.04 (jammy) or 24.04 (noble), optionally pinned to a patch release or a digest. Group 1: the Java major, which
     * must be the one the build compiles for.
     */
    static final Pattern BASE_IMAGE =
            Pattern.compile("eclipse-temurin:(\\d+)(?:[._+\\w]*)?-jre-(?:jammy|noble)(?:@sha256:[0-9a-f]{64})?");
    /** Where the image's ENTRYPOINT starts the fast-jar's launcher. */
    static final String APP_JAR = "/deployments/quarkus-run.jar";

    static final String APP_LABEL = "app.kubernetes.io/name";
    static final Map<String, String> COMMON_LABELS = Map.of(
            APP_LABEL,
            "reelvault",
            "app.kubernetes.io/instance",
            "reelvault",
            "app.kubernetes.io/part-of",
            "ai-video-pipeline");
    static final Map<String, Class<?>> KINDS = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class);

    private final AppSettings app = AppSettings.get();
    private final DeployFiles files;
    private final List<String> parseProblems = new ArrayList<>();
    private final Map<String, Object> k8s = new LinkedHashMap<>();
    private RegisterTaskDefinitionRequest ecs;
    private ComposeFile compose;
    private Dockerfile docker;
    private String iamBucket;

    /** The instructions of docker/Dockerfile.jvm that the checks use. */
    record Dockerfile(
            String from,
            String user,
            List<Integer> exposed,
            Map<String, String> env,
            List<String[]> copies,
            List<String> runs,
            String entrypoint,
            String healthcheck) {
        /** The {@code -Dkey=value} in JAVA_OPTS and JAVA_OPTS_APPEND: system properties of the containerised JVM. */
        Map<String, String> systemProperties() {
            return DeployChecks.systemProperties(jvmOptions(Map.of()));
        }

        /**
         * The options the ENTRYPOINT hands the JVM when the container's environment is {@code env}: its JAVA_OPTS
         * (else the image's), then its JAVA_OPTS_APPEND (else the image's).
         */
        String jvmOptions(Map<String, String> deployed) {
            return deployed.getOrDefault("JAVA_OPTS", env.getOrDefault("JAVA_OPTS", "")) + " "
                    + deployed.getOrDefault("JAVA_OPTS_APPEND", env.getOrDefault("JAVA_OPTS_APPEND", ""));
        }
    }

    static Map<String, String> systemProperties(String jvmOptions) {
        Map<String, String> props = new HashMap<>();
        Matcher m = Pattern.compile("-D([^=\\s]+)=(\\S*)").matcher(jvmOptions);
        while (m.find()) {
            props.put(m.group(1), m.group(2));
        }
        return props;
    }

    /**
     * The JVM's maximum heap for these options in a container of {@code limit} bytes: -Xmx (or -XX:MaxHeapSize) when
     * given, which wins over any percentage; else the last -XX:MaxRAMPercentage of {@code limit}; else the JVM's 25%.
     */
    static long maxHeap(String jvmOptions, long limit) {
        Long xmx = null;
        double percentage = DEFAULT_MAX_RAM_PERCENTAGE;
        for (String option : jvmOptions.trim().split("\\s+")) {
            Matcher size = Pattern.compile("(?:-Xmx|-XX:MaxHeapSize=)(\\d+)([kKmMgG]?)")
                    .matcher(option);
            Matcher pct =
                    Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)").matcher(option);
            if (size.matches()) {
                long unit = switch (size.group(2).toLowerCase(Locale.ROOT)) {
                    case "k" -> 1024L;
                    case "m" -> MIB;
                    case "g" -> 1024 * MIB;
                    default -> 1L;
                };
                xmx = Long.parseLong(size.group(1)) * unit;
            } else if (pct.matches()) {
                percentage = Double.parseDouble(pct.group(1));
            }
        }
        return xmx != null ? xmx : (long) (limit * percentage / 100);
    }

    /** A file's parsed value (null when it did not parse) and its problems. */
    private record Parsed(Object value, List<String> problems) {}

    /**
     * Parses by path and text: the checks never modify what they read, and the breakage tests change one file at a
     * time, so the others are parsed once.
     */
    private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();

    private Object parse(String path, BiFunction<String, List<String>, Object> parser) {
        String text = files.text(path);
        Parsed parsed = PARSED.computeIfAbsent(path + "\n" + text, k -> {
            List<String> problems = new ArrayList<>();
            Object value = null;
            try {
                value = parser.apply(text, problems);
            } catch (RuntimeException e) {
                problems.add(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            }
            return new Parsed(value, problems.stream().map(p -> path + ": " + p).collect(Collectors.toList()));
        });
        parseProblems.addAll(parsed.problems());
        return parsed.value();
    }

    DeployChecks(DeployFiles files) {
        this.files = files;
        for (String path : files.k8sPaths()) {
            Object manifest = parse(path, DeployChecks::parseK8s);
            if (manifest != null) {
                k8s.put(path, manifest);
            }
        }
        ecs = (RegisterTaskDefinitionRequest) parse(
                DeployFiles.ECS_TASK,
                (text, problems) -> unchecked(
                        () -> StrictReaders.awsModel(text, RegisterTaskDefinitionRequest.builder(), problems)));
        compose = (ComposeFile) parse(
                DeployFiles.COMPOSE, (text, problems) -> unchecked(() -> StrictReaders.yaml(text, ComposeFile.class)));
        docker = parseDockerfile(files.text(DeployFiles.DOCKERFILE));
        try {
            JsonNode policy = StrictReaders.JSON.readTree(files.text(DeployFiles.TASK_ROLE_POLICY));
            for (JsonNode statement : policy.path("Statement")) {
                for (JsonNode resource : statement.path("Resource")) {
                    Matcher m = Pattern.compile("arn:aws:s3:::([^/*]+)$").matcher(resource.asText());
                    if (m.find()) {
                        iamBucket = m.group(1);
                    }
                }
            }
        } catch (Exception e) {
            parseProblems.add(DeployFiles.TASK_ROLE_POLICY + ": " + e.getMessage());
        }
    }

    /** Every check, in order. */
    List<String> all() {
        List<String> all = new ArrayList<>(parseProblems);
        all.addAll(k8sInventory());
        all.addAll(k8sProbesAndPorts());
        all.addAll(k8sService());
        all.addAll(k8sMetrics());
        all.addAll(k8sEnvironment());
        all.addAll(k8sIdentity());
        all.addAll(k8sSecurity());
        all.addAll(k8sShutdown());
        all.addAll(k8sScaling());
        all.addAll(k8sSecretTemplate());
        all.addAll(ecsTask());
        all.addAll(composeFile());
        all.addAll(dockerfile());
        all.addAll(memory());
        return all;
    }

    List<String> parseProblems() {
        return parseProblems;
    }

    // ------------------------------------------------------------------------------------------------ Kubernetes

    private static Object parseK8s(String text, List<String> problems) {
        return unchecked(() -> {
            JsonNode head = StrictReaders.YAML.readTree(text);
            String key =
                    head.path("apiVersion").asText() + "/" + head.path("kind").asText();
            Class<?> type = KINDS.get(key);
            if (type == null) {
                problems.add(key + " is not a kind these manifests use (" + KINDS.keySet() + ")");
                return null;
            }
            return StrictReaders.yaml(text, type);
        });
    }

    private interface Parser {
        Object parse() throws Exception;
    }

    private static Object unchecked(Parser parser) {
        try {
            return parser.parse();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private <T> List<Map.Entry<String, T>> all(Class<T> type) {
        return k8s.entrySet().stream()
                .filter(e -> type.isInstance(e.getValue()))
                .map(e -> Map.entry(e.getKey(), type.cast(e.getValue())))
                .collect(Collectors.toList());
    }

    /** The one object of {@code type}, or empty with a problem. */
    private <T> Optional<T> one(Class<T> type, List<String> problems) {
        List<Map.Entry<String, T>> found = all(type);
        if (found.size() != 1) {
            problems.add(
                    DeployFiles.K8S_DIR + ": " + found.size() + " " + type.getSimpleName() + " manifests, 1 expected");
            return Optional.empty();
        }
        return Optional.of(found.get(0).getValue());
    }

    private Optional<Container> container(List<String> problems) {
        return one(Deployment.class, problems).flatMap(d -> {
            List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
            if (containers.size() != 1) {
                problems.add("deployment.yaml: " + containers.size() + " containers, 1 expected (the service)");
                return Optional.empty();
            }
            return Optional.of(containers.get(0));
        });
    }

    /** How the Deployment's container starts the application: ConfigMaps and Secrets it reads, literal values, the image's -D. */
    private Launch k8sLaunch(Container c) {
        Map<String, String> env = new HashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                configMapData(from.getConfigMapRef().getName()).ifPresent(env::putAll);
            }
            if (from.getSecretRef() != null) {
                secretData(from.getSecretRef().getName()).ifPresent(env::putAll);
            }
        }
        for (EnvVar v : c.getEnv()) {
            if (v.getValue() != null) {
                env.put(v.getName(), v.getValue());
            } else if (v.getValueFrom() != null && v.getValueFrom().getConfigMapKeyRef() != null) {
                var ref = v.getValueFrom().getConfigMapKeyRef();
                configMapData(ref.getName())
                        .map(d -> d.get(ref.getKey()))
                        .ifPresent(value -> env.put(v.getName(), value));
            } else if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                var ref = v.getValueFrom().getSecretKeyRef();
                secretData(ref.getName()).map(d -> d.get(ref.getKey())).ifPresent(value -> env.put(v.getName(), value));
            }
        }
        return new Launch(env, systemProperties(docker.jvmOptions(env)));
    }

    private Optional<Map<String, String>> configMapData(String name) {
        return all(ConfigMap.class).stream()
                .map(Map.Entry::getValue)
                .filter(m -> name.equals(m.getMetadata().getName()))
                .findFirst()
                .map(m -> m.getData() == null ? Map.<String, String>of() : m.getData());
    }

    private Optional<Map<String, String>> secretData(String name) {
        return all(Secret.class).stream()
                .map(Map.Entry::getValue)
                .filter(s -> name.equals(s.getMetadata().getName()))
                .findFirst()
                .map(s -> {
                    Map<String, String> data = new HashMap<>();
                    if (s.getData() != null) {
                        data.putAll(s.getData());
                    }
                    if (s.getStringData() != null) {
                        data.putAll(s.getStringData());
                    }
                    return data;
                });
    }

    private Map<String, String> podLabels(Deployment d) {
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /** A port given by number or by the container port's name, as a number; empty when the name is unknown. */
    private static Optional<Integer> containerPort(Container c, IntOrString port) {
        if (port == null) {
            return Optional.empty();
        }
        if (port.getIntVal() != null) {
            return Optional.of(port.getIntVal());
        }
        return c.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst();
    }

    private static String show(IntOrString port) {
        return port == null ? "(none)" : port.getIntVal() != null ? String.valueOf(port.getIntVal()) : port.getStrVal();
    }

    /** A non-application endpoint's path: under the management root ({@code /q}) when the management interface is on. */
    private String path(String relative) {
        Launch none = new Launch(Map.of(), Map.of());
        if (app.managementEnabled()) {
            return relative.startsWith("/")
                    ? relative
                    : join(app.setting("quarkus.management.root-path", none).orElseThrow(), relative);
        }
        String root = app.setting("quarkus.http.root-path", none).orElse("/");
        String nonApp =
                app.setting("quarkus.http.non-application-root-path", none).orElseThrow();
        String base = nonApp.startsWith("/") ? nonApp : join(root, nonApp);
        return relative.startsWith("/") ? relative : join(base, relative);
    }

    private static String join(String a, String b) {
        return (a.endsWith("/") ? a : a + "/") + b;
    }

    /** {@code live}, {@code ready} or {@code started} under the health root: {@code /q/health/live}, … */
    String healthPath(String key) {
        return path(join(HEALTH_PATH_KEYS.get("quarkus.smallrye-health.root-path"), HEALTH_PATH_KEYS.get(key)));
    }

    String metricsPath() {
        return path(app.setting("quarkus.micrometer.export.prometheus.path", new Launch(Map.of(), Map.of()))
                .orElseThrow());
    }

    List<String> k8sInventory() {
        List<String> problems = new ArrayList<>();
        for (String key : HEALTH_PATH_KEYS.keySet()) {
            if (app.properties.containsKey(key)) {
                problems.add("application.properties sets " + key
                        + ": the manifests and these checks assume Quarkus' default health paths");
            }
        }
        for (Map.Entry<String, Object> e : k8s.entrySet()) {
            if (e.getValue() instanceof HasMetadata object) {
                Map<String, String> labels = object.getMetadata().getLabels() == null
                        ? Map.of()
                        : object.getMetadata().getLabels();
                if (!labels.entrySet().containsAll(COMMON_LABELS.entrySet())) {
                    problems.add(e.getKey() + ": labels " + labels + " lack some of " + COMMON_LABELS);
                }
            }
        }
        one(Deployment.class, problems).ifPresent(d -> {
            if (!podLabels(d).entrySet().containsAll(COMMON_LABELS.entrySet())) {
                problems.add("deployment.yaml: pod labels " + podLabels(d) + " lack some of " + COMMON_LABELS);
            }
            if (!selects(d.getSpec().getSelector().getMatchLabels(), podLabels(d))) {
                problems.add("deployment.yaml: the selector does not select the pod template's labels");
            }
        });
        for (Class<?> kind : KINDS.values()) {
            one(kind, problems);
        }
        one(Kustomization.class, problems).ifPresent(k -> {
            Set<String> listed = k.getResources().stream()
                    .map(r -> DeployFiles.K8S_DIR + "/" + r)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> expected = new TreeSet<>(files.k8sPaths());
            expected.remove(DeployFiles.KUSTOMIZATION);
            expected.remove(DeployFiles.SECRET_TEMPLATE);
            if (listed.contains(DeployFiles.SECRET_TEMPLATE)) {
                problems.add(
                        "kustomization.yaml lists the Secret template: every apply would overwrite the real Secret with placeholders");
            }
            listed.remove(DeployFiles.SECRET_TEMPLATE);
            if (!listed.equals(expected)) {
                problems.add("kustomization.yaml resources " + listed + " differ from the manifests in deploy/k8s "
                        + expected);
            }
            container(problems).ifPresent(c -> {
                boolean rewritten = k.getImages().stream()
                        .anyMatch(i -> c.getImage().equals(i.getName()) && i.getNewName() != null);
                if (!rewritten) {
                    problems.add("kustomization.yaml: no images entry rewrites the container's image '" + c.getImage()
                            + "'");
                }
            });
        });
        return problems;
    }

    List<String> k8sProbesAndPorts() {
        List<String> problems = new ArrayList<>();
        container(problems).ifPresent(c -> {
            int port = app.httpPort(k8sLaunch(c));
            if (c.getPorts().stream().noneMatch(p -> p.getContainerPort() == port && "http".equals(p.getName()))) {
                problems.add("deployment.yaml: no container port named http on " + port
                        + ", the port the application listens on");
            }
            int ops = app.operatorsPort(k8sLaunch(c));
            if (app.managementEnabled()
                    && c.getPorts().stream()
                            .noneMatch(p -> p.getContainerPort() == ops && "management".equals(p.getName()))) {
                problems.add("deployment.yaml: no container port named management on " + ops
                        + ", the management interface's port");
            }
            checkProbe(
                    "livenessProbe",
                    c.getLivenessProbe(),
                    healthPath("quarkus.smallrye-health.liveness-path"),
                    c,
                    ops,
                    true,
                    problems);
            checkProbe(
                    "readinessProbe",
                    c.getReadinessProbe(),
                    healthPath("quarkus.smallrye-health.readiness-path"),
                    c,
                    ops,
                    true,
                    problems);
            checkProbe(
                    "startupProbe",
                    c.getStartupProbe(),
                    healthPath("quarkus.smallrye-health.startup-path"),
                    c,
                    ops,
                    false,
                    problems);
        });
        return problems;
    }

    private static void checkProbe(
            String name, Probe probe, String path, Container c, int port, boolean required, List<String> problems) {
        if (probe == null) {
            if (required) {
                problems.add("deployment.yaml: no " + name);
            }
            return;
        }
        if (probe.getHttpGet() == null) {
            problems.add("deployment.yaml: " + name + " is not an HTTP GET");
            return;
        }
        if (!path.equals(probe.getHttpGet().getPath())) {
            problems.add("deployment.yaml: " + name + " asks "
                    + probe.getHttpGet().getPath() + ", the application answers " + path);
        }
        Optional<Integer> probed = containerPort(c, probe.getHttpGet().getPort());
        if (probed.isEmpty() || probed.get() != port) {
            problems.add("deployment.yaml: " + name + " port "
                    + show(probe.getHttpGet().getPort()) + " is not the port health answers on, " + port);
        }
    }

    List<String> k8sService() {
        List<String> problems = new ArrayList<>();
        Optional<Service> service = one(Service.class, problems);
        Optional<Deployment> deployment = one(Deployment.class, problems);
        Optional<Container> container = container(problems);
        if (service.isEmpty() || deployment.isEmpty() || container.isEmpty()) {
            return problems;
        }
        Service s = service.get();
        if (!selects(s.getSpec().getSelector(), podLabels(deployment.get()))) {
            problems.add("service.yaml: selector " + s.getSpec().getSelector() + " does not select the pods "
                    + podLabels(deployment.get()));
        }
        int appPort = app.httpPort(k8sLaunch(container.get()));
        int opsPort = app.operatorsPort(k8sLaunch(container.get()));
        boolean http = false;
        boolean management = !app.managementEnabled();
        for (ServicePort p : s.getSpec().getPorts()) {
            Optional<Integer> target = containerPort(
                    container.get(), p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort()));
            if (target.isEmpty()) {
                problems.add("service.yaml: port " + p.getName() + " targets " + show(p.getTargetPort())
                        + ", which no container port is");
            } else if ("http".equals(p.getName())) {
                http = target.get() == appPort;
            } else if ("management".equals(p.getName())) {
                management = target.get() == opsPort;
            }
        }
        if (!http) {
            problems.add("service.yaml: no port named http targets the application's port " + appPort);
        }
        if (!management) {
            problems.add("service.yaml: no port named management targets the management interface's port " + opsPort
                    + " (the ServiceMonitor scrapes it)");
        }
        return problems;
    }

    List<String> k8sMetrics() {
        List<String> problems = new ArrayList<>();
        Optional<Deployment> deployment = one(Deployment.class, problems);
        Optional<Container> container = container(problems);
        Optional<Service> service = one(Service.class, problems);
        Optional<ServiceMonitor> monitor = one(ServiceMonitor.class, problems);
        if (deployment.isEmpty() || container.isEmpty() || service.isEmpty() || monitor.isEmpty()) {
            return problems;
        }
        int appPort = app.operatorsPort(k8sLaunch(container.get()));
        Map<String, String> annotations = Objects.requireNonNullElse(
                deployment.get().getSpec().getTemplate().getMetadata().getAnnotations(), Map.of());
        Map<String, String> expected = Map.of(
                "prometheus.io/scrape",
                "true",
                "prometheus.io/port",
                String.valueOf(appPort),
                "prometheus.io/path",
                metricsPath());
        expected.forEach((k, v) -> {
            if (!v.equals(annotations.get(k))) {
                problems.add(
                        "deployment.yaml: pod annotation " + k + " is " + annotations.get(k) + ", " + v + " expected");
            }
        });
        ServiceMonitor m = monitor.get();
        Map<String, String> serviceLabels =
                Objects.requireNonNullElse(service.get().getMetadata().getLabels(), Map.of());
        if (m.getSpec().getSelector() == null
                || !selects(m.getSpec().getSelector().getMatchLabels(), serviceLabels)) {
            problems.add("servicemonitor.yaml: the selector does not select the Service's labels " + serviceLabels);
        }
        if (m.getSpec().getEndpoints().isEmpty()) {
            problems.add("servicemonitor.yaml: no endpoints");
        }
        for (var endpoint : m.getSpec().getEndpoints()) {
            if (!metricsPath().equals(endpoint.getPath())) {
                problems.add("servicemonitor.yaml: path " + endpoint.getPath() + ", the application serves metrics on "
                        + metricsPath());
            }
            Optional<ServicePort> port = service.get().getSpec().getPorts().stream()
                    .filter(p -> p.getName().equals(endpoint.getPort()))
                    .findFirst();
            Optional<Integer> target = port.flatMap(p -> containerPort(container.get(), p.getTargetPort()));
            if (target.isEmpty() || target.get() != appPort) {
                problems.add("servicemonitor.yaml: endpoint port " + endpoint.getPort()
                        + " is not a Service port leading to " + appPort + ", where metrics answer");
            }
        }
        return problems;
    }

    List<String> k8sEnvironment() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ConfigMap> e : all(ConfigMap.class)) {
            Map<String, String> data = Objects.requireNonNullElse(e.getValue().getData(), Map.of());
            for (String name : data.keySet()) {
                checkName(e.getKey(), name, problems);
                if (SENSITIVE.contains(name)) {
                    problems.add(e.getKey() + ": " + name + " carries a credential: it belongs in the Secret");
                }
            }
        }
        for (Map.Entry<String, Secret> e : all(Secret.class)) {
            secretData(e.getValue().getMetadata().getName())
                    .orElseThrow()
                    .keySet()
                    .forEach(name -> checkName(e.getKey(), name, problems));
        }
        container(problems).ifPresent(c -> {
            for (EnvVar v : c.getEnv()) {
                checkName("deployment.yaml", v.getName(), problems);
                if (SENSITIVE.contains(v.getName())
                        && (v.getValueFrom() == null || v.getValueFrom().getSecretKeyRef() == null)) {
                    problems.add("deployment.yaml: " + v.getName()
                            + " carries a credential: take it from the Secret (secretKeyRef)");
                }
                if (v.getValueFrom() != null && v.getValueFrom().getConfigMapKeyRef() != null) {
                    var ref = v.getValueFrom().getConfigMapKeyRef();
                    if (configMapData(ref.getName())
                            .map(d -> !d.containsKey(ref.getKey()))
                            .orElse(true)) {
                        problems.add("deployment.yaml: " + v.getName() + " refers to " + ref.getName() + "/"
                                + ref.getKey() + ", which no ConfigMap here has");
                    }
                }
                if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                    var ref = v.getValueFrom().getSecretKeyRef();
                    if (secretData(ref.getName())
                            .map(d -> !d.containsKey(ref.getKey()))
                            .orElse(true)) {
                        problems.add("deployment.yaml: " + v.getName() + " refers to " + ref.getName() + "/"
                                + ref.getKey() + ", which the Secret template lacks");
                    }
                }
            }
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null
                        && configMapData(from.getConfigMapRef().getName()).isEmpty()) {
                    problems.add("deployment.yaml: envFrom names ConfigMap "
                            + from.getConfigMapRef().getName() + ", which is not here");
                }
                if (from.getSecretRef() != null
                        && secretData(from.getSecretRef().getName()).isEmpty()) {
                    problems.add("deployment.yaml: envFrom names Secret "
                            + from.getSecretRef().getName() + ", which the template is not");
                }
            }
            problems.addAll(production("deploy/k8s", k8sLaunch(c)));
        });
        for (String path : files.k8sPaths()) {
            noStaticKeys(path, files.text(path), problems);
        }
        return problems;
    }

    private void checkName(String where, String name, List<String> problems) {
        if (STATIC_AWS_KEY_NAME.matcher(name).find()) {
            problems.add(where + ": " + name
                    + " is a static AWS credential; the service's role (IRSA, ECS task role) provides them");
        } else if (!IMAGE_ENV.contains(name) && !app.readsFromEnvironment(name)) {
            problems.add(where + ": " + app.whyNotRead(name));
        }
    }

    private static void noStaticKeys(String path, String text, List<String> problems) {
        if (ACCESS_KEY_ID.matcher(text).find()) {
            problems.add(path + ": contains what looks like an AWS access key id");
        }
        Matcher name = STATIC_AWS_KEY_NAME.matcher(text);
        if (name.find()) {
            problems.add(
                    path + ": names a static AWS credential (" + name.group() + "); the service's role provides them");
        }
    }

    /** The token settings without which the packaged service refuses to start (StartupChecks): key, issuer, audience. */
    static final List<String> TOKEN_SETTINGS =
            List.of("mp.jwt.verify.publickey.location", "mp.jwt.verify.issuer", "mp.jwt.verify.audiences");

    /** Production settings: S3 (the bucket the task role's policy grants), a region, a token key, issuer and audience. */
    private List<String> production(String where, Launch launch) {
        List<String> problems = new ArrayList<>();
        if (!"false".equals(app.setting("reelvault.storage.use-local", launch).orElse(""))) {
            problems.add(where + ": USE_LOCAL_STORAGE is not false: production stores on S3");
        }
        String bucket = app.setting("reelvault.storage.s3.bucket", launch).orElse("");
        if (!bucket.equals(iamBucket)) {
            problems.add(where + ": S3_BUCKET is '" + bucket + "', the task role's policy grants " + iamBucket);
        }
        List<String> required = new ArrayList<>(List.of("reelvault.storage.s3.region"));
        required.addAll(TOKEN_SETTINGS);
        for (String key : required) {
            if (app.setting(key, launch).filter(v -> !v.isBlank()).isEmpty()) {
                problems.add(where + ": " + key + " (" + AppSettings.envName(key)
                        + ") is not set; the service needs it on S3");
            }
        }
        return problems;
    }

    List<String> k8sIdentity() {
        List<String> problems = new ArrayList<>();
        Optional<ServiceAccount> account = one(ServiceAccount.class, problems);
        Optional<Deployment> deployment = one(Deployment.class, problems);
        if (account.isEmpty() || deployment.isEmpty()) {
            return problems;
        }
        String arn = Objects.requireNonNullElse(account.get().getMetadata().getAnnotations(), Map.<String, String>of())
                .get(ROLE_ANNOTATION);
        if (arn == null || !ROLE_ARN.matcher(arn).matches()) {
            problems.add(
                    "serviceaccount.yaml: annotation " + ROLE_ANNOTATION + " is " + arn + ", an IAM role ARN expected");
        }
        String used = deployment.get().getSpec().getTemplate().getSpec().getServiceAccountName();
        if (!account.get().getMetadata().getName().equals(used)) {
            problems.add(
                    "deployment.yaml: serviceAccountName " + used + " is not the ServiceAccount with the IAM role");
        }
        return problems;
    }

    List<String> k8sSecurity() {
        List<String> problems = new ArrayList<>();
        Optional<Deployment> deployment = one(Deployment.class, problems);
        Optional<Container> container = container(problems);
        if (deployment.isEmpty() || container.isEmpty()) {
            return problems;
        }
        PodSpec pod = deployment.get().getSpec().getTemplate().getSpec();
        PodSecurityContext podSecurity = Objects.requireNonNullElse(pod.getSecurityContext(), new PodSecurityContext());
        SecurityContext security =
                Objects.requireNonNullElse(container.get().getSecurityContext(), new SecurityContext());
        Long runAs = security.getRunAsUser() != null ? security.getRunAsUser() : podSecurity.getRunAsUser();
        if (!Boolean.TRUE.equals(podSecurity.getRunAsNonRoot()) && !Boolean.TRUE.equals(security.getRunAsNonRoot())) {
            problems.add("deployment.yaml: runAsNonRoot is not true");
        }
        if (runAs == null || !String.valueOf(runAs).equals(docker.user())) {
            problems.add("deployment.yaml: runAsUser " + runAs + " is not the image's user " + docker.user());
        }
        String seccomp = security.getSeccompProfile() != null
                ? security.getSeccompProfile().getType()
                : podSecurity.getSeccompProfile() != null
                        ? podSecurity.getSeccompProfile().getType()
                        : null;
        if (!"RuntimeDefault".equals(seccomp)) {
            problems.add("deployment.yaml: seccompProfile is " + seccomp + ", RuntimeDefault expected");
        }
        if (!Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
            problems.add("deployment.yaml: allowPrivilegeEscalation is not false");
        }
        if (security.getCapabilities() == null
                || !security.getCapabilities().getDrop().contains("ALL")
                || !security.getCapabilities().getAdd().isEmpty()) {
            problems.add("deployment.yaml: capabilities must drop ALL and add none");
        }
        if (!Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
            problems.add("deployment.yaml: readOnlyRootFilesystem is not true");
        }
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        for (Map.Entry<String, String> dir :
                writtenDirectories(k8sLaunch(container.get())).entrySet()) {
            Optional<VolumeMount> mount = container.get().getVolumeMounts().stream()
                    .filter(m -> Path.of(dir.getValue())
                            .normalize()
                            .startsWith(Path.of(m.getMountPath()).normalize()))
                    .max((a, b) -> Integer.compare(
                            a.getMountPath().length(), b.getMountPath().length()));
            Volume volume = mount.map(m -> volumes.get(m.getName())).orElse(null);
            if (mount.isEmpty() || Boolean.TRUE.equals(mount.get().getReadOnly()) || volume == null) {
                problems.add("deployment.yaml: " + dir.getKey() + " (" + dir.getValue()
                        + ") is on the read-only root filesystem: mount a writable volume there");
            } else if (volume.getEmptyDir() != null && volume.getEmptyDir().getSizeLimit() == null) {
                problems.add("deployment.yaml: emptyDir " + volume.getName() + " has no sizeLimit");
            } else if (volume.getEmptyDir() == null && volume.getPersistentVolumeClaim() == null) {
                problems.add("deployment.yaml: " + dir.getValue() + " is on volume " + volume.getName()
                        + ", neither an emptyDir nor a claim");
            }
        }
        return problems;
    }

    /**
     * Where the application writes at run time, as observed on the packaged application: the JVM's perf data (/tmp,
     * hard-wired), java.io.tmpdir (the AWS CRT's native library, Vert.x's cache), the media work directory, and the
     * local storage root when the local backend is on.
     */
    private Map<String, String> writtenDirectories(Launch launch) {
        Map<String, String> dirs = new LinkedHashMap<>();
        dirs.put("the JVM's perf data", "/tmp");
        dirs.put("java.io.tmpdir", launch.systemProperties().get("java.io.tmpdir"));
        dirs.put(
                "REELVAULT_MEDIA_WORK_DIR",
                app.setting("reelvault.media.work-dir", launch).orElseThrow());
        if (!"false".equals(app.setting("reelvault.storage.use-local", launch).orElse("true"))) {
            dirs.put(
                    "LOCAL_STORAGE_PATH",
                    app.setting("reelvault.storage.local.path", launch).orElseThrow());
        }
        return dirs;
    }

    /**
     * How long a stop may take: the readiness-down delay, then the wait for in-flight requests. The timeout must be
     * set in the same file as the grace period or stop timeout that has to cover it, not inherited from
     * application.properties, whose default can change without anyone looking at the deployment.
     */
    private Optional<Duration> shutdown(String where, Launch launch, List<String> problems) {
        Optional<String> timeout = Optional.ofNullable(launch.env().get("QUARKUS_SHUTDOWN_TIMEOUT"));
        if (timeout.isEmpty()) {
            problems.add(
                    where
                            + ": no QUARKUS_SHUTDOWN_TIMEOUT: set the wait for in-flight uploads beside the grace period that covers it");
            return Optional.empty();
        }
        Duration delay = app.setting("quarkus.shutdown.delay", launch)
                .map(StrictReaders::quarkusDuration)
                .orElse(Duration.ZERO);
        return Optional.of(StrictReaders.quarkusDuration(timeout.get()).plus(delay));
    }

    List<String> k8sShutdown() {
        List<String> problems = new ArrayList<>();
        Optional<Deployment> deployment = one(Deployment.class, problems);
        Optional<Container> container = container(problems);
        if (deployment.isEmpty() || container.isEmpty()) {
            return problems;
        }
        Long grace = deployment.get().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        shutdown("deployment.yaml", k8sLaunch(container.get()), problems).ifPresent(stop -> {
            if (grace == null || Duration.ofSeconds(grace).compareTo(stop.plus(STOP_MARGIN)) < 0) {
                problems.add("deployment.yaml: terminationGracePeriodSeconds " + grace
                        + " does not cover the shutdown delay and timeout (" + stop.toSeconds() + " s) plus "
                        + STOP_MARGIN.toSeconds() + " s");
            }
        });
        return problems;
    }

    List<String> k8sScaling() {
        List<String> problems = new ArrayList<>();
        Optional<Deployment> deployment = one(Deployment.class, problems);
        Optional<HorizontalPodAutoscaler> hpa = one(HorizontalPodAutoscaler.class, problems);
        Optional<PodDisruptionBudget> pdb = one(PodDisruptionBudget.class, problems);
        if (deployment.isEmpty() || hpa.isEmpty() || pdb.isEmpty()) {
            return problems;
        }
        Deployment d = deployment.get();
        var target = hpa.get().getSpec().getScaleTargetRef();
        if (!"apps/v1".equals(target.getApiVersion())
                || !"Deployment".equals(target.getKind())
                || !d.getMetadata().getName().equals(target.getName())) {
            problems.add("hpa.yaml: scaleTargetRef " + target.getApiVersion() + " " + target.getKind() + " "
                    + target.getName() + " is not the Deployment "
                    + d.getMetadata().getName());
        }
        Integer min = hpa.get().getSpec().getMinReplicas();
        if (min == null || min < 2 || hpa.get().getSpec().getMaxReplicas() < min) {
            problems.add("hpa.yaml: minReplicas " + min
                    + " (at least 2, so that one pod serves while another drains) and maxReplicas "
                    + hpa.get().getSpec().getMaxReplicas());
        }
        if (d.getSpec().getReplicas() != null) {
            problems.add("deployment.yaml: replicas is set; the HPA owns the count and every apply would reset it");
        }
        var selector = pdb.get().getSpec().getSelector();
        if (selector == null
                || !selector.getMatchExpressions().isEmpty()
                || !selects(selector.getMatchLabels(), podLabels(d))) {
            problems.add("pdb.yaml: the selector does not select the Deployment's pods " + podLabels(d));
        }
        IntOrString minAvailable = pdb.get().getSpec().getMinAvailable();
        IntOrString maxUnavailable = pdb.get().getSpec().getMaxUnavailable();
        boolean evictable = maxUnavailable != null
                ? maxUnavailable.getIntVal() == null || maxUnavailable.getIntVal() >= 1
                : minAvailable != null
                        && minAvailable.getIntVal() != null
                        && min != null
                        && minAvailable.getIntVal() < min;
        if (!evictable) {
            problems.add("pdb.yaml: at the HPA's minimum no pod could ever be evicted (node drains would hang)");
        }
        return problems;
    }

    List<String> k8sSecretTemplate() {
        List<String> problems = new ArrayList<>();
        Object template = k8s.get(DeployFiles.SECRET_TEMPLATE);
        if (!(template instanceof Secret secret)) {
            problems.add(DeployFiles.SECRET_TEMPLATE + ": not a Secret");
            return problems;
        }
        if (secret.getData() != null && !secret.getData().isEmpty()) {
            problems.add(DeployFiles.SECRET_TEMPLATE
                    + ": has data (base64 values); a template has only stringData placeholders");
        }
        Map<String, String> values = Objects.requireNonNullElse(secret.getStringData(), Map.of());
        if (values.isEmpty()) {
            problems.add(DeployFiles.SECRET_TEMPLATE + ": no stringData keys");
        }
        values.forEach((k, v) -> {
            if (!v.matches(".*<[a-z0-9-]+>.*")) {
                problems.add(DeployFiles.SECRET_TEMPLATE + ": " + k
                        + " looks like a real value; write placeholders like <redis-auth-token>");
            }
        });
        container(problems).ifPresent(c -> {
            Set<String> used = c.getEnv().stream()
                    .filter(v -> v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null)
                    .map(v -> v.getValueFrom().getSecretKeyRef().getKey())
                    .collect(Collectors.toSet());
            if (!used.equals(values.keySet())) {
                problems.add(DeployFiles.SECRET_TEMPLATE + ": keys " + values.keySet()
                        + " are not the ones the Deployment reads " + used);
            }
        });
        return problems;
    }

    // ------------------------------------------------------------------------------------------------ ECS

    List<String> ecsTask() {
        List<String> problems = new ArrayList<>();
        String where = "task-definition.json";
        if (ecs == null) {
            problems.add(where + ": not parsed");
            return problems;
        }
        Matcher task = ROLE_ARN.matcher(Objects.requireNonNullElse(ecs.taskRoleArn(), ""));
        if (!task.matches() || !ECS_TASK_ROLE.equals(task.group(1))) {
            problems.add(where + ": taskRoleArn " + ecs.taskRoleArn() + " is not the role " + ECS_TASK_ROLE);
        }
        if (!ROLE_ARN.matcher(Objects.requireNonNullElse(ecs.executionRoleArn(), ""))
                .matches()) {
            problems.add(where + ": executionRoleArn " + ecs.executionRoleArn()
                    + " is not a role ARN (needed to pull the image, write logs, read the secrets)");
        }
        if (ecs.containerDefinitions().size() != 1) {
            problems.add(where + ": " + ecs.containerDefinitions().size() + " containers, 1 expected");
            return problems;
        }
        ContainerDefinition c = ecs.containerDefinitions().get(0);
        if (ecs.family() == null
                || ecs.family().isBlank()
                || c.name() == null
                || c.image() == null
                || !Boolean.TRUE.equals(c.essential())) {
            problems.add(where + ": family, and the container's name, image and essential: true are required");
        }
        Map<String, String> env = new HashMap<>();
        for (KeyValuePair kv : c.environment()) {
            env.put(kv.name(), kv.value());
            checkName(where, kv.name(), problems);
            if (SENSITIVE.contains(kv.name())) {
                problems.add(where + ": " + kv.name()
                        + " carries a credential: put it under secrets (Secrets Manager or SSM)");
            }
        }
        for (var secret : c.secrets()) {
            env.put(secret.name(), "<secret>");
            checkName(where, secret.name(), problems);
            if (!secret.valueFrom().matches("arn:aws:(secretsmanager|ssm):[a-z0-9-]+:\\d{12}:(secret:|parameter/).+")) {
                problems.add(where + ": secret " + secret.name() + " comes from " + secret.valueFrom()
                        + ", not a Secrets Manager or SSM ARN");
            }
        }
        noStaticKeys(where, files.text(DeployFiles.ECS_TASK), problems);
        Launch launch = new Launch(env, systemProperties(docker.jvmOptions(env)));
        problems.addAll(production(where, launch));
        int port = app.httpPort(launch);
        if (c.portMappings().stream().noneMatch(p -> p.containerPort() != null && p.containerPort() == port)) {
            problems.add(where + ": no portMapping for the application's port " + port);
        }
        int ops = app.operatorsPort(launch);
        if (c.portMappings().stream().noneMatch(p -> p.containerPort() != null && p.containerPort() == ops)) {
            problems.add(where + ": no portMapping for the management interface's port " + ops
                    + " (Prometheus scrapes it in the VPC)");
        }
        String live = "http://localhost:" + ops + healthPath("quarkus.smallrye-health.liveness-path");
        if (c.healthCheck() == null || c.healthCheck().command().stream().noneMatch(s -> s.contains(live))) {
            problems.add(where + ": the container healthCheck does not ask " + live);
        }
        if (!Objects.equals(docker.user(), c.user())) {
            problems.add(where + ": user " + c.user() + " is not the image's user " + docker.user());
        }
        if (!Boolean.TRUE.equals(c.readonlyRootFilesystem())) {
            problems.add(where + ": readonlyRootFilesystem is not true");
        }
        if (c.linuxParameters() == null
                || c.linuxParameters().capabilities() == null
                || !c.linuxParameters().capabilities().drop().contains("ALL")) {
            problems.add(where + ": linuxParameters.capabilities must drop ALL");
        }
        Set<String> volumes = ecs.volumes().stream().map(v -> v.name()).collect(Collectors.toSet());
        for (Map.Entry<String, String> dir : writtenDirectories(launch).entrySet()) {
            boolean writable = c.mountPoints().stream()
                    .anyMatch(m -> volumes.contains(m.sourceVolume())
                            && !Boolean.TRUE.equals(m.readOnly())
                            && Path.of(dir.getValue())
                                    .normalize()
                                    .startsWith(Path.of(m.containerPath()).normalize()));
            if (!writable) {
                problems.add(where + ": " + dir.getKey() + " (" + dir.getValue()
                        + ") is on the read-only root filesystem: mount a task volume there");
            }
        }
        for (MountPoint m : c.mountPoints()) {
            if (!volumes.contains(m.sourceVolume())) {
                problems.add(where + ": mount point " + m.containerPath() + " names volume " + m.sourceVolume()
                        + ", which the task lacks");
            }
        }
        var logs = c.logConfiguration();
        if (logs == null
                || !"awslogs".equals(logs.logDriverAsString())
                || !logs.options()
                        .keySet()
                        .containsAll(Set.of("awslogs-group", "awslogs-region", "awslogs-stream-prefix"))) {
            problems.add(
                    where
                            + ": logConfiguration must be awslogs with awslogs-group, awslogs-region and awslogs-stream-prefix");
        }
        Integer stop = c.stopTimeout();
        shutdown(where, launch, problems).ifPresent(needed -> {
            if (stop == null
                    || stop > FARGATE_MAX_STOP_TIMEOUT
                    || Duration.ofSeconds(stop).compareTo(needed.plus(STOP_MARGIN)) < 0) {
                problems.add(where + ": stopTimeout " + stop + " must cover the shutdown delay and timeout ("
                        + needed.toSeconds() + " s) plus " + STOP_MARGIN.toSeconds() + " s, and Fargate allows at most "
                        + FARGATE_MAX_STOP_TIMEOUT);
            }
        });
        return problems;
    }

    // ------------------------------------------------------------------------------------------------ Compose

    /** Compose's {@code ${VAR:-default}} and {@code ${VAR:?message}}: the default, or a stand-in for a required value. */
    private static String interpolate(String value) {
        return value.replaceAll("\\$\\{[A-Za-z0-9_]+:-([^}]*)}", "$1")
                .replaceAll("\\$\\{[A-Za-z0-9_]+:?\\?[^}]*}", "<required>");
    }

    private boolean runsTheApp(ComposeFile.Service s) {
        if (s.build() == null) {
            return false;
        }
        Path dockerfile = Path.of("docker")
                .resolve(s.build().context())
                .resolve(s.build().dockerfile())
                .normalize();
        return dockerfile.equals(Path.of(DeployFiles.DOCKERFILE));
    }

    private static Map<String, String> env(ComposeFile.Service s) {
        Map<String, String> env = new HashMap<>();
        Objects.requireNonNullElse(s.environment(), Map.<String, String>of())
                .forEach((k, v) -> env.put(k, interpolate(v)));
        return env;
    }

    private static boolean oneShot(ComposeFile.Service s) {
        return s.restart() == null && s.healthcheck() == null;
    }

    private Optional<String> serviceWithImage(String prefix) {
        return compose.services().entrySet().stream()
                .filter(e ->
                        e.getValue().image() != null && e.getValue().image().startsWith(prefix))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    List<String> composeFile() {
        List<String> problems = new ArrayList<>();
        String where = "docker-compose.yml";
        if (compose == null) {
            problems.add(where + ": not parsed");
            return problems;
        }
        Optional<String> redis = serviceWithImage("redis:");
        Optional<String> minio = serviceWithImage("minio/minio:");
        if (redis.isEmpty() || minio.isEmpty()) {
            problems.add(where + ": a redis:* service and a minio/minio:* service expected");
            return problems;
        }
        ComposeFile.Service minioService = compose.services().get(minio.get());
        Map<String, String> minioEnv = env(minioService);
        String imageName = null;
        boolean local = false;
        boolean s3 = false;
        boolean bucketSetup = false;
        for (Map.Entry<String, ComposeFile.Service> e : compose.services().entrySet()) {
            String name = e.getKey();
            ComposeFile.Service s = e.getValue();
            if (s.image() != null && s.image().startsWith("reelvault") && !runsTheApp(s)) {
                problems.add(where + ": " + name + " uses the image " + s.image() + " without building it from "
                        + DeployFiles.DOCKERFILE);
            }
            if (!runsTheApp(s)) {
                continue;
            }
            if (imageName != null && !imageName.equals(s.image())) {
                problems.add(where + ": the services running the jar tag different images (" + imageName + ", "
                        + s.image() + ")");
            }
            imageName = s.image();
            Map<String, String> env = env(s);
            Launch launch = new Launch(env, systemProperties(docker.jvmOptions(env)));
            env.keySet().forEach(k -> {
                if (!app.readsFromEnvironment(k)) {
                    problems.add(where + ": " + name + ": " + app.whyNotRead(k));
                }
            });
            boolean useLocal = !"false"
                    .equals(app.setting("reelvault.storage.use-local", launch).orElseThrow());
            if (env.containsKey("AWS_ACCESS_KEY_ID") || env.containsKey("AWS_SECRET_ACCESS_KEY")) {
                String endpoint = env.getOrDefault("S3_ENDPOINT_URL", "");
                if (!endpoint.startsWith("http://" + minio.get() + ":")
                        || !Objects.equals(env.get("AWS_ACCESS_KEY_ID"), minioEnv.get("MINIO_ROOT_USER"))
                        || !Objects.equals(env.get("AWS_SECRET_ACCESS_KEY"), minioEnv.get("MINIO_ROOT_PASSWORD"))) {
                    problems.add(where + ": " + name
                            + ": static AWS keys are for the MinIO of this file only (its root user, S3_ENDPOINT_URL on "
                            + minio.get() + ")");
                }
            }
            if (List.of("bucket", "setup").equals(s.command())) {
                bucketSetup = true;
                problems.addAll(s3Settings(where, name, s, env, minio.get(), minioService, true));
                continue;
            }
            if (s.command() != null) {
                problems.add(where + ": " + name + ": runs " + s.command()
                        + "; a serving service runs the image's entry point");
            }
            for (String key : TOKEN_SETTINGS) {
                if (app.setting(key, launch).filter(v -> !v.isBlank()).isEmpty()) {
                    problems.add(where + ": " + name + ": " + key + " (" + AppSettings.envName(key)
                            + ") is not set; the service refuses to start without it");
                }
            }
            int port = app.httpPort(launch);
            if (s.ports() == null || s.ports().stream().noneMatch(p -> p.endsWith(":" + port))) {
                problems.add(where + ": " + name + ": publishes " + s.ports() + ", not the application's port " + port);
            }
            int ops = app.operatorsPort(launch);
            if (ops != port && s.ports() != null && s.ports().stream().anyMatch(p -> p.endsWith(":" + ops))) {
                problems.add(where + ": " + name + ": publishes the management port " + ops
                        + " on the host: health and metrics are for inside only");
            }
            String ready = "http://localhost:" + ops + healthPath("quarkus.smallrye-health.readiness-path");
            if (s.healthcheck() == null || s.healthcheck().test().stream().noneMatch(t -> t.equals(ready))) {
                problems.add(where + ": " + name + ": the healthcheck does not ask " + ready);
            }
            String redisUrl = app.setting("reelvault.redis.url", launch).orElse("");
            if (!redisUrl.startsWith("redis://" + redis.get() + ":") || !dependsOn(s, redis.get(), "service_healthy")) {
                problems.add(where + ": " + name + ": REELVAULT_REDIS_URL must name the " + redis.get()
                        + " service, and the service wait for it to be healthy");
            }
            if (useLocal) {
                local = true;
                String root =
                        app.setting("reelvault.storage.local.path", launch).orElseThrow();
                if (s.volumes() == null || !s.volumes().contains("./storage:" + root)) {
                    problems.add(where + ": " + name + ": LOCAL_STORAGE_PATH " + root + " is not the ./storage volume");
                }
                if (!root.equals(docker.env().get("LOCAL_STORAGE_PATH"))) {
                    problems.add(where + ": " + name + ": LOCAL_STORAGE_PATH " + root
                            + " is not the folder the image prepares "
                            + docker.env().get("LOCAL_STORAGE_PATH"));
                }
                if (s.profiles() != null) {
                    problems.add(where + ": " + name
                            + ": the local backend is the default; it must start without a profile");
                }
            } else {
                s3 = true;
                problems.addAll(s3Settings(where, name, s, env, minio.get(), minioService, false));
            }
        }
        if (!local || !s3 || !bucketSetup) {
            problems.add(where
                    + ": expected a service on the local backend, one on S3 (MinIO) and a one-shot `bucket setup`");
        }
        return problems;
    }

    /** A service using MinIO: its endpoint, path style, bucket, credentials, and the one-shot that creates the bucket. */
    private List<String> s3Settings(
            String where,
            String name,
            ComposeFile.Service s,
            Map<String, String> env,
            String minio,
            ComposeFile.Service minioService,
            boolean oneShot) {
        List<String> problems = new ArrayList<>();
        String endpoint = env.getOrDefault("S3_ENDPOINT_URL", "");
        URI uri = URI.create(endpoint.isEmpty() ? "none:/" : endpoint);
        List<String> minioCommand = Objects.requireNonNullElse(minioService.command(), List.of());
        if (!minio.equals(uri.getHost()) || uri.getPort() != 9000 || !minioCommand.contains("server")) {
            problems.add(where + ": " + name + ": S3_ENDPOINT_URL " + endpoint + " is not the MinIO server http://"
                    + minio + ":9000");
        }
        if (!"true".equals(env.get("S3_PATH_STYLE"))) {
            problems.add(where + ": " + name + ": S3_PATH_STYLE must be true for MinIO");
        }
        if (!"false".equals(env.get("USE_LOCAL_STORAGE"))
                || env.getOrDefault("AWS_REGION", "").isBlank()) {
            problems.add(where + ": " + name + ": USE_LOCAL_STORAGE=false and AWS_REGION expected");
        }
        String bucket = env.getOrDefault("S3_BUCKET", "");
        Optional<String> creator = compose.services().entrySet().stream()
                .filter(e -> e.getValue().image() != null
                        && e.getValue().image().startsWith("minio/mc:")
                        && oneShot(e.getValue()))
                .filter(e -> String.join(
                                " ", Objects.requireNonNullElse(e.getValue().command(), List.of()))
                        .matches(".*\\bmb\\b.*/" + Pattern.quote(bucket) + "\\b.*"))
                .map(Map.Entry::getKey)
                .findFirst();
        if (bucket.isEmpty() || creator.isEmpty()) {
            problems.add(where + ": " + name + ": no one-shot minio/mc service creates the bucket '" + bucket + "'");
        } else {
            if (!dependsOn(s, creator.get(), "service_completed_successfully")) {
                problems.add(where + ": " + name + ": must wait for " + creator.get()
                        + " to complete (the bucket exists then)");
            }
            String mc = String.join(" ", compose.services().get(creator.get()).command());
            if (!mc.contains(" " + env.get("AWS_ACCESS_KEY_ID") + " " + env.get("AWS_SECRET_ACCESS_KEY"))) {
                problems.add(where + ": " + creator.get() + " does not log in with the credentials " + name + " uses");
            }
        }
        if (oneShot != oneShot(s)) {
            problems.add(where + ": " + name
                    + (oneShot
                            ? ": a one-shot has no restart policy nor healthcheck"
                            : ": a server needs a restart policy and a healthcheck"));
        }
        return problems;
    }

    private static boolean dependsOn(ComposeFile.Service s, String other, String condition) {
        return s.dependsOn() != null
                && s.dependsOn().containsKey(other)
                && condition.equals(s.dependsOn().get(other).condition());
    }

    // ------------------------------------------------------------------------------------------------ Dockerfile

    private static Dockerfile parseDockerfile(String text) {
        String joined = text.replaceAll("\\\\\\r?\\n", " ");
        String from = null;
        String healthcheck = null;
        String user = null;
        String entrypoint = null;
        List<Integer> exposed = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String[]> copies = new ArrayList<>();
        List<String> runs = new ArrayList<>();
        Pattern envPair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");
        for (String line : joined.split("\\r?\\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] words = l.split("\\s+", 2);
            String args = words.length > 1 ? words[1] : "";
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "USER" -> user = args.trim();
                case "EXPOSE" -> {
                    for (String p : args.split("\\s+")) {
                        exposed.add(Integer.parseInt(p.replace("/tcp", "")));
                    }
                }
                case "ENV" -> {
                    Matcher m = envPair.matcher(args);
                    while (m.find()) {
                        env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                    }
                }
                case "COPY" ->
                    copies.add(args.replaceAll("--\\S+\\s+", "").trim().split("\\s+"));
                case "RUN" -> runs.add(args);
                case "ENTRYPOINT" -> entrypoint = args;
                case "FROM" -> from = args.trim();
                case "HEALTHCHECK" -> healthcheck = args;
                default -> {
                    // LABEL, WORKDIR, ...: not checked
                }
            }
        }
        return new Dockerfile(from, user, exposed, env, copies, runs, entrypoint, healthcheck);
    }

    List<String> dockerfile() {
        List<String> problems = new ArrayList<>();
        String where = "Dockerfile.jvm";
        if (docker.user() == null || !docker.user().matches("[1-9]\\d*")) {
            problems.add(where + ": the last USER is " + docker.user()
                    + ": a numeric non-root uid expected (runAsNonRoot can verify only numbers)");
        }
        Launch launch = new Launch(docker.env(), docker.systemProperties());
        int port = app.httpPort(launch);
        List<Integer> ports = app.managementEnabled() ? List.of(port, app.operatorsPort(launch)) : List.of(port);
        if (!docker.exposed().equals(ports)) {
            problems.add(where + ": EXPOSE " + docker.exposed() + ", the application listens on " + ports);
        }
        docker.env().keySet().forEach(k -> {
            if (!IMAGE_ENV.contains(k) && !app.readsFromEnvironment(k)) {
                problems.add(where + ": ENV " + app.whyNotRead(k));
            }
        });
        Map<String, String> copied = new LinkedHashMap<>();
        docker.copies().forEach(c -> copied.put(c[0], c[c.length - 1]));
        Map<String, String> layout = Map.of(
                "target/quarkus-app/lib/",
                "/deployments/lib/",
                "target/quarkus-app/*.jar",
                "/deployments/",
                "target/quarkus-app/app/",
                "/deployments/app/",
                "target/quarkus-app/quarkus/",
                "/deployments/quarkus/");
        if (!copied.equals(layout)) {
            problems.add(where + ": COPY " + copied + " is not the quarkus-app layout " + layout);
        }
        problems.addAll(entrypoint(where));
        problems.addAll(mediaTools(where));
        String live =
                "http://localhost:" + app.operatorsPort(launch) + healthPath("quarkus.smallrye-health.liveness-path");
        if (docker.healthcheck() != null
                && !docker.healthcheck().matches(".*\\bCMD\\s+curl\\b.*\\s" + Pattern.quote(live) + "(\\s.*|$)")) {
            problems.add(where + ": HEALTHCHECK does not curl " + live + ": " + docker.healthcheck());
        }
        if (docker.user() != null
                && docker.runs().stream()
                        .noneMatch(r -> r.matches(
                                ".*\\buseradd\\b.*(--uid|-u)\\s+" + Pattern.quote(docker.user()) + "\\b.*"))) {
            problems.add(where + ": no RUN creates the user " + docker.user()
                    + " (useradd --uid): the base image does not have it");
        }
        String root = app.setting("reelvault.storage.local.path", launch).orElseThrow();
        if (docker.runs().stream()
                .noneMatch(r -> r.contains("mkdir -p " + root) && r.contains("chown " + docker.user()))) {
            problems.add(
                    where + ": the local storage root " + root + " is not created and given to user " + docker.user());
        }
        return problems;
    }

    /**
     * The ENTRYPOINT runs {@code java $JAVA_OPTS $JAVA_OPTS_APPEND -jar APP_JAR "$@"} as PID 1 (exec), and the CDS
     * archive JAVA_OPTS_APPEND maps is the one the training run wrote, with the same jar.
     */
    private List<String> entrypoint(String where) {
        List<String> problems = new ArrayList<>();
        List<String> words = List.of();
        try {
            words = StrictReaders.JSON.readValue(
                    Objects.requireNonNullElse(docker.entrypoint(), "null"),
                    StrictReaders.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        } catch (Exception e) {
            problems.add(where + ": ENTRYPOINT is not a JSON array (exec form): " + docker.entrypoint());
        }
        String expected = "exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar " + APP_JAR + " \"$@\"";
        if (words != null
                && !words.isEmpty()
                && (words.size() != 4
                        || !words.subList(0, 2).equals(List.of("/bin/sh", "-c"))
                        || !words.get(2).equals(expected))) {
            problems.add(
                    where + ": ENTRYPOINT " + words + " is not [\"/bin/sh\", \"-c\", \"" + expected
                            + "\", NAME]: java as PID 1 with the image's and the deployment's options, the arguments the jar's");
        }
        Matcher archive = Pattern.compile("-XX:SharedArchiveFile=(\\S+)")
                .matcher(docker.env().getOrDefault("JAVA_OPTS_APPEND", ""));
        String mapped = archive.find() ? archive.group(1) : null;
        boolean trained = mapped != null
                && docker.runs().stream()
                        .anyMatch(r -> r.contains("-XX:ArchiveClassesAtExit=" + mapped + " ")
                                && r.contains("-jar " + APP_JAR + " "));
        if (!trained) {
            problems.add(where + ": JAVA_OPTS_APPEND maps the CDS archive " + mapped
                    + ", which no RUN writes with -XX:ArchiveClassesAtExit and -jar " + APP_JAR);
        }
        return problems;
    }

    /**
     * The base image's distribution packages ffmpeg, and the image installs it (ffprobe comes in the same package, and
     * the build runs both, so it fails without either), without recommended packages and without leaving the
     * package lists behind; curl for the health checks; media work is not turned off.
     */
    private List<String> mediaTools(String where) {
        List<String> problems = new ArrayList<>();
        Matcher base = BASE_IMAGE.matcher(Objects.requireNonNullElse(docker.from(), ""));
        if (!base.matches()) {
            problems.add(where + ": FROM " + docker.from() + " is not a base whose distribution packages ffmpeg ("
                    + BASE_IMAGE.pattern() + ")");
        } else if (!base.group(1).equals(javaRelease())) {
            problems.add(where + ": FROM " + docker.from() + " is Java " + base.group(1) + ", the build compiles for "
                    + javaRelease());
        }
        Optional<String> install = docker.runs().stream()
                .filter(r -> r.matches(".*\\bapt-get\\s+install\\b[^&;]*\\sffmpeg\\b.*"))
                .findFirst();
        if (install.isEmpty()) {
            problems.add(where + ": no RUN installs ffmpeg (apt-get install ... ffmpeg): media work would be off");
        } else {
            String run = install.get();
            for (String step : List.of(
                    "apt-get update",
                    "--no-install-recommends",
                    "rm -rf /var/lib/apt/lists/*",
                    "ffmpeg -version",
                    "ffprobe -version")) {
                if (!run.contains(step)) {
                    problems.add(where + ": the RUN that installs ffmpeg lacks `" + step
                            + "` (same layer: refresh the lists, no extras, no lists left, fail the build without"
                            + " ffmpeg or ffprobe)");
                }
            }
            if (!run.matches(".*\\bapt-get\\s+install\\b[^&;]*\\scurl\\b.*")) {
                problems.add(where + ": the RUN that installs ffmpeg does not install curl, which the health checks"
                        + " (HEALTHCHECK, docker-compose.yml, the ECS task) run");
            }
        }
        Launch launch = new Launch(docker.env(), docker.systemProperties());
        if ("false".equals(app.setting("reelvault.media.enabled", launch).orElse("true"))) {
            problems.add(where + ": REELVAULT_MEDIA_ENABLED is false: media work is off in the image");
        }
        return problems;
    }

    private static String javaRelease() {
        try {
            Matcher m = Pattern.compile("<maven.compiler.release>(\\d+)</maven.compiler.release>")
                    .matcher(java.nio.file.Files.readString(Path.of("pom.xml")));
            return m.find() ? m.group(1) : "?";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ memory

    /**
     * Room for ffmpeg beside the heap: a container's memory limit minus the JVM's maximum heap (from the options the
     * ENTRYPOINT gives it there) is at least {@link #JVM_NON_HEAP} + REELVAULT_MEDIA_WORKERS x
     * {@link #FFMPEG_PER_WORKER}; and media work is not turned off.
     */
    private List<String> roomForMedia(String where, long limit, Map<String, String> env, Launch launch) {
        List<String> problems = new ArrayList<>();
        if ("false".equals(app.setting("reelvault.media.enabled", launch).orElse("true"))) {
            problems.add(where + ": REELVAULT_MEDIA_ENABLED is false: no thumbnails, durations nor compression");
        }
        int workers =
                Integer.parseInt(app.setting("reelvault.media.workers", launch).orElseThrow());
        long heap = maxHeap(docker.jvmOptions(env), limit);
        long needed = JVM_NON_HEAP + workers * FFMPEG_PER_WORKER;
        if (limit - heap < needed) {
            problems.add(where + ": the memory limit " + limit / MIB + " MiB minus the heap " + heap / MIB
                    + " MiB leaves " + (limit - heap) / MIB + " MiB; the JVM beside its heap (" + JVM_NON_HEAP / MIB
                    + " MiB) and " + workers + " ffmpeg worker(s) (" + FFMPEG_PER_WORKER / MIB + " MiB each) need "
                    + needed / MIB + " MiB");
        }
        return problems;
    }

    List<String> memory() {
        List<String> problems = new ArrayList<>();
        container(problems).ifPresent(c -> {
            var limits = c.getResources() == null ? null : c.getResources().getLimits();
            if (limits == null || !limits.containsKey("memory")) {
                problems.add("deployment.yaml: no memory limit: the heap and ffmpeg's room cannot be sized");
                return;
            }
            long limit = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(limits.get("memory"))
                    .longValueExact();
            var requests = c.getResources().getRequests();
            if (requests == null
                    || !requests.containsKey("memory")
                    || io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(requests.get("memory"))
                                    .longValueExact()
                            != limit) {
                problems.add("deployment.yaml: the memory request is not the limit: a JVM sized from the limit may be"
                        + " killed on a node short of memory");
            }
            Launch launch = k8sLaunch(c);
            problems.addAll(roomForMedia("deployment.yaml", limit, launch.env(), launch));
        });
        if (ecs != null && ecs.containerDefinitions().size() == 1) {
            ContainerDefinition c = ecs.containerDefinitions().get(0);
            // the container's hard limit, else the task's memory (Fargate: the task's is required)
            Integer mib = c.memory() != null ? c.memory() : ecs.memory() == null ? null : Integer.valueOf(ecs.memory());
            if (mib == null) {
                problems.add("task-definition.json: no memory (task or container)");
            } else {
                Map<String, String> env = new HashMap<>();
                c.environment().forEach(kv -> env.put(kv.name(), kv.value()));
                Launch launch = new Launch(env, systemProperties(docker.jvmOptions(env)));
                problems.addAll(roomForMedia("task-definition.json", mib * MIB, env, launch));
            }
        }
        return problems;
    }
}
