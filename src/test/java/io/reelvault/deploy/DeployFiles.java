package io.reelvault.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The texts of the deployment files, by path from the repository root; a copy can carry one edit (the tests' breakages). */
final class DeployFiles {

    static final String K8S_DIR = "deploy/k8s";
    static final String KUSTOMIZATION = K8S_DIR + "/kustomization.yaml";
    static final String SECRET_TEMPLATE = K8S_DIR + "/secret.template.yaml";
    static final String ECS_TASK = "deploy/ecs/task-definition.json";
    static final String COMPOSE = "docker/docker-compose.yml";
    static final String DOCKERFILE = "docker/Dockerfile.jvm";
    static final String TASK_ROLE_POLICY = "deploy/iam/ecs-task-role-policy.json";

    private final SortedMap<String, String> texts;

    private DeployFiles(SortedMap<String, String> texts) {
        this.texts = texts;
    }

    static DeployFiles fromRepo() {
        SortedMap<String, String> texts = new TreeMap<>();
        try (Stream<Path> k8s = Files.list(Path.of(K8S_DIR))) {
            for (Path p : k8s.collect(Collectors.toList())) {
                texts.put(K8S_DIR + "/" + p.getFileName(), Files.readString(p));
            }
            for (String path : List.of(ECS_TASK, COMPOSE, DOCKERFILE, TASK_ROLE_POLICY)) {
                texts.put(path, Files.readString(Path.of(path)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DeployFiles(texts);
    }

    Set<String> paths() {
        return texts.keySet();
    }

    /** The files under deploy/k8s. */
    Set<String> k8sPaths() {
        return texts.keySet().stream()
                .filter(p -> p.startsWith(K8S_DIR + "/"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    String text(String path) {
        String text = texts.get(path);
        if (text == null) {
            throw new IllegalArgumentException("no file " + path);
        }
        return text;
    }

    /** A copy with {@code from} replaced by {@code to} in {@code path}; {@code from} must occur exactly once. */
    DeployFiles replace(String path, String from, String to) {
        String text = text(path);
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IllegalArgumentException(path + ": '" + from + "' must occur exactly once");
        }
        SortedMap<String, String> copy = new TreeMap<>(texts);
        copy.put(path, text.substring(0, at) + to + text.substring(at + from.length()));
        return new DeployFiles(copy);
    }
}
