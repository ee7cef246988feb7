package io.reelvault.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each check of {@link DeployChecks} fails on a broken copy of the real files: one edit per case, and the problem it
 * must produce. (The unedited files have no problem at all: {@link DeployManifestsTest}.)
 */
@Tag("conformance")
class DeployChecksCatchBreakageTest {

    private static final DeployFiles REAL = DeployFiles.fromRepo();

    private static final String DEPLOYMENT = "deploy/k8s/deployment.yaml";
    private static final String SERVICE = "deploy/k8s/service.yaml";
    private static final String CONFIGMAP = "deploy/k8s/configmap.yaml";
    private static final String MONITOR = "deploy/k8s/servicemonitor.yaml";
    private static final String HPA = "deploy/k8s/hpa.yaml";
    private static final String PDB = "deploy/k8s/pdb.yaml";
    private static final String ACCOUNT = "deploy/k8s/serviceaccount.yaml";

    static Stream<Arguments> breakages() {
        return Stream.of(
                // strict parsing
                broken(
                        DEPLOYMENT,
                        "readOnlyRootFilesystem: true",
                        "readOnlyRootFileSystem: true",
                        "Unrecognized field \"readOnlyRootFileSystem\""),
                broken(
                        DEPLOYMENT,
                        "readOnlyRootFilesystem: true",
                        "readOnlyRootFilesystem: \"true\"",
                        "deployment.yaml: Cannot coerce"),
                broken(
                        DEPLOYMENT,
                        "imagePullPolicy: IfNotPresent",
                        "imagePullPolicy: IfNotPresent\n          image: other",
                        "Duplicate field 'image'"),
                broken(
                        PDB,
                        "    matchLabels:\n      app.kubernetes.io/name: reelvault\n      app.kubernetes.io/instance: reelvault\n",
                        "    matchLabels:\n      app.kubernetes.io/name: reelvault\n      app.kubernetes.io/instance: reelvault\n---\napiVersion: v1\nkind: Namespace\n",
                        "2 YAML documents"),
                broken(
                        HPA,
                        "apiVersion: autoscaling/v2",
                        "apiVersion: autoscaling/v2beta2",
                        "autoscaling/v2beta2/HorizontalPodAutoscaler is not a kind"),
                broken(DeployFiles.ECS_TASK, "\"stopTimeout\"", "\"stopTimout\"", "unknown member \"stopTimout\""),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"containerPort\": 8080",
                        "\"containerPort\": \"8080\"",
                        "containerPort: a Integer expected"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"networkMode\": \"awsvpc\"",
                        "\"networkMode\": \"awsvpcx\"",
                        "networkMode: awsvpcx is not a value the API knows"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"essential\": true,",
                        "\"essential\": true, \"essential\": false,",
                        "Duplicate field 'essential'"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"family\": \"ai-video-backend-storage\",",
                        "",
                        "family, and the container's name, image and essential"),
                broken(
                        DeployFiles.COMPOSE,
                        "    healthcheck:\n      test: [\"CMD\", \"redis-cli\"",
                        "    healthchek:\n      test: [\"CMD\", \"redis-cli\"",
                        "Unrecognized field \"healthchek\""),
                // Kubernetes inventory and labels
                broken(DeployFiles.KUSTOMIZATION, "  - pdb.yaml\n", "", "kustomization.yaml resources"),
                broken(
                        DeployFiles.KUSTOMIZATION,
                        "  - serviceaccount.yaml\n",
                        "  - serviceaccount.yaml\n  - secret.template.yaml\n",
                        "lists the Secret template"),
                broken(
                        DeployFiles.KUSTOMIZATION,
                        "  - name: reelvault\n",
                        "  - name: reelvault-api\n",
                        "no images entry rewrites"),
                broken(
                        SERVICE,
                        "app.kubernetes.io/part-of: ai-video-pipeline",
                        "app.kubernetes.io/part-of: other",
                        "service.yaml: labels"),
                // probes and ports
                broken(
                        DEPLOYMENT,
                        "path: /q/health/ready",
                        "path: /q/health/readyz",
                        "readinessProbe asks /q/health/readyz"),
                broken(
                        DEPLOYMENT,
                        "path: /q/health/live\n              port: management",
                        "path: /q/health/live\n              port: 8081",
                        "livenessProbe port"),
                broken(
                        DEPLOYMENT,
                        "path: /q/health/ready\n              port: management",
                        "path: /q/health/ready\n              port: http",
                        "readinessProbe port http is not the port health answers on, 9000"),
                broken(
                        DEPLOYMENT,
                        "containerPort: 9000",
                        "containerPort: 9090",
                        "no container port named management on 9000"),
                broken(
                        DEPLOYMENT,
                        "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "            - name: QUARKUS_MANAGEMENT_PORT\n              value: \"9090\"\n"
                                + "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "no container port named management on 9090"),
                broken(
                        DEPLOYMENT,
                        "containerPort: 8080",
                        "containerPort: 9090",
                        "no container port named http on 8080"),
                broken(
                        DEPLOYMENT,
                        "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "            - name: QUARKUS_HTTP_PORT\n              value: \"9090\"\n"
                                + "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "no container port named http on 9090"),
                // Service, metrics
                broken(SERVICE, "targetPort: http", "targetPort: web", "targets web, which no container port is"),
                broken(
                        SERVICE,
                        "  selector:\n    app.kubernetes.io/name: reelvault",
                        "  selector:\n    app.kubernetes.io/name: reelvault-x",
                        "does not select the pods"),
                broken(
                        DEPLOYMENT,
                        "prometheus.io/path: /q/metrics",
                        "prometheus.io/path: /metrics",
                        "pod annotation prometheus.io/path is /metrics"),
                broken(MONITOR, "path: /q/metrics", "path: /metrics", "servicemonitor.yaml: path /metrics"),
                broken(MONITOR, "- port: management", "- port: metrics", "endpoint port metrics"),
                broken(
                        MONITOR,
                        "- port: management",
                        "- port: http",
                        "endpoint port http is not a Service port leading to 9000"),
                broken(
                        DEPLOYMENT,
                        "prometheus.io/port: \"9000\"",
                        "prometheus.io/port: \"8080\"",
                        "pod annotation prometheus.io/port is 8080, 9000 expected"),
                broken(
                        SERVICE,
                        "    - name: management\n      port: 9000\n      targetPort: management\n      protocol: TCP",
                        "",
                        "no port named management targets the management interface's port 9000"),
                // environment
                broken(CONFIGMAP, "  S3_BUCKET:", "  S3_BUCKETS:", "S3_BUCKETS is read by nothing"),
                broken(
                        DEPLOYMENT,
                        "name: QUARKUS_SHUTDOWN_DELAY\n",
                        "name: QUARKUS_SHUTDOWN_DELAY_ENABLED\n",
                        "fixed at build time"),
                broken(
                        CONFIGMAP,
                        "  AWS_REGION: us-east-1",
                        "  AWS_REGION: us-east-1\n  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE",
                        "static AWS credential"),
                broken(
                        DEPLOYMENT,
                        "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "            - name: QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY\n"
                                + "              value: x\n            - name: QUARKUS_SHUTDOWN_DELAY",
                        "QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY is a static AWS credential"),
                broken(
                        CONFIGMAP,
                        "  AWS_REGION: us-east-1",
                        "  AWS_REGION: us-east-1\n  REELVAULT_REDIS_URL: redis://redis:6379/0",
                        "belongs in the Secret"),
                broken(
                        CONFIGMAP,
                        "USE_LOCAL_STORAGE: \"false\"",
                        "USE_LOCAL_STORAGE: \"true\"",
                        "USE_LOCAL_STORAGE is not false"),
                broken(
                        CONFIGMAP,
                        "USE_LOCAL_STORAGE: \"false\"",
                        "USE_LOCAL_STORAGE: \"true\"",
                        "LOCAL_STORAGE_PATH (./storage) is on the read-only root"),
                broken(
                        CONFIGMAP,
                        "S3_BUCKET: ai-video-pipeline-production",
                        "S3_BUCKET: ai-video-staging",
                        "the task role's policy grants"),
                broken(
                        CONFIGMAP,
                        "  MP_JWT_VERIFY_ISSUER: https://auth.example.com\n",
                        "",
                        "mp.jwt.verify.issuer (MP_JWT_VERIFY_ISSUER) is not set"),
                broken(
                        CONFIGMAP,
                        "  MP_JWT_VERIFY_AUDIENCES: reelvault\n",
                        "",
                        "mp.jwt.verify.audiences (MP_JWT_VERIFY_AUDIENCES) is not set"),
                broken(DEPLOYMENT, "key: REELVAULT_REDIS_URL", "key: REDIS_URL", "which the Secret template lacks"),
                broken(
                        DEPLOYMENT,
                        "name: reelvault-config\n                  key: AWS_REGION",
                        "name: reelvault-config\n                  key: REGION",
                        "which no ConfigMap here has"),
                // identity and security
                broken(
                        ACCOUNT,
                        "eks.amazonaws.com/role-arn:",
                        "eks.amazonaws.com/role:",
                        "annotation eks.amazonaws.com/role-arn is null"),
                broken(
                        DEPLOYMENT,
                        "serviceAccountName: reelvault",
                        "serviceAccountName: default",
                        "serviceAccountName default"),
                broken(DEPLOYMENT, "runAsUser: 185", "runAsUser: 1000", "runAsUser 1000 is not the image's user 185"),
                broken(DEPLOYMENT, "        runAsNonRoot: true\n", "", "runAsNonRoot is not true"),
                broken(DEPLOYMENT, "type: RuntimeDefault", "type: Unconfined", "seccompProfile is Unconfined"),
                broken(
                        DEPLOYMENT,
                        "allowPrivilegeEscalation: false",
                        "allowPrivilegeEscalation: true",
                        "allowPrivilegeEscalation is not false"),
                broken(DEPLOYMENT, "- ALL", "- NET_RAW", "capabilities must drop ALL"),
                broken(
                        DEPLOYMENT,
                        "readOnlyRootFilesystem: true",
                        "readOnlyRootFilesystem: false",
                        "readOnlyRootFilesystem is not true"),
                broken(
                        DEPLOYMENT,
                        "mountPath: /tmp",
                        "mountPath: /scratch",
                        "java.io.tmpdir (/tmp) is on the read-only root filesystem"),
                broken(
                        DEPLOYMENT,
                        "emptyDir:\n            sizeLimit: 10Gi",
                        "emptyDir: {}",
                        "emptyDir tmp has no sizeLimit"),
                // stopping
                broken(
                        DEPLOYMENT,
                        "terminationGracePeriodSeconds: 330",
                        "terminationGracePeriodSeconds: 60",
                        "terminationGracePeriodSeconds 60 does not cover"),
                broken(
                        DEPLOYMENT,
                        "value: 300S",
                        "value: 10m",
                        "terminationGracePeriodSeconds 330 does not cover the shutdown delay and timeout (605 s)"),
                broken(
                        DEPLOYMENT,
                        "            - name: QUARKUS_SHUTDOWN_TIMEOUT\n              value: 300S\n",
                        "",
                        "no QUARKUS_SHUTDOWN_TIMEOUT"),
                // scaling
                broken(
                        HPA,
                        "    kind: Deployment\n    name: reelvault",
                        "    kind: Deployment\n    name: reelvault-api",
                        "scaleTargetRef"),
                broken(HPA, "minReplicas: 2", "minReplicas: 1", "minReplicas 1"),
                broken(
                        PDB,
                        "matchLabels:\n      app.kubernetes.io/name: reelvault",
                        "matchLabels:\n      app.kubernetes.io/name: reelvault-x",
                        "pdb.yaml: the selector"),
                broken(PDB, "maxUnavailable: 1", "minAvailable: 2", "no pod could ever be evicted"),
                broken(
                        DEPLOYMENT,
                        "  revisionHistoryLimit: 5",
                        "  replicas: 3\n  revisionHistoryLimit: 5",
                        "replicas is set"),
                // Secret template
                broken(
                        DeployFiles.SECRET_TEMPLATE,
                        "rediss://:<redis-auth-token>@<redis-host>:6380/0",
                        "rediss://:hunter2@redis.internal:6380/0",
                        "looks like a real value"),
                broken(DeployFiles.SECRET_TEMPLATE, "stringData:", "data:", "has data (base64 values)"),
                // ECS
                broken(DeployFiles.ECS_TASK, "role/ecs-ai-video-backend-task-role", "role/other-role", "taskRoleArn"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"executionRoleArn\": \"arn:aws:iam::111122223333:role/ecsTaskExecutionRole\",",
                        "",
                        "executionRoleArn null"),
                broken(
                        DeployFiles.ECS_TASK,
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" },",
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" }, { \"name\": \"AWS_SECRET_ACCESS_KEY\", \"value\": \"x\" },",
                        "static AWS credential"),
                broken(
                        DeployFiles.ECS_TASK,
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" },",
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" }, { \"name\": \"REELVAULT_SIGNING_KEY\", \"value\": \"0123456789abcdef0123456789abcdef\" },",
                        "REELVAULT_SIGNING_KEY carries a credential"),
                broken(
                        DeployFiles.ECS_TASK,
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" },",
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" }, { \"name\": \"REELVAULT_SIGNING_KEYS_PREVIOUS\", \"value\": \"1:0123456789abcdef0123456789abcdef\" },",
                        "REELVAULT_SIGNING_KEYS_PREVIOUS carries a credential"),
                broken(
                        DeployFiles.ECS_TASK,
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" },",
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" }, { \"name\": \"JAVA_TOOL_OPTIONS\", \"value\": \"-Xmx1g\" },",
                        "JAVA_TOOL_OPTIONS is read by nothing"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"valueFrom\": \"arn:aws:secretsmanager:",
                        "\"valueFrom\": \"redis://",
                        "not a Secrets Manager or SSM ARN"),
                broken(
                        DeployFiles.ECS_TASK,
                        "        { \"name\": \"MP_JWT_VERIFY_AUDIENCES\", \"value\": \"reelvault\" },\n",
                        "",
                        "task-definition.json: mp.jwt.verify.audiences (MP_JWT_VERIFY_AUDIENCES) is not set"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"stopTimeout\": 120",
                        "\"stopTimeout\": 60",
                        "stopTimeout 60 must cover"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"value\": \"100S\"",
                        "\"value\": \"115S\"",
                        "stopTimeout 120 must cover the shutdown delay and timeout (120 s)"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"stopTimeout\": 120",
                        "\"stopTimeout\": 180",
                        "Fargate allows at most 120"),
                broken(
                        DeployFiles.ECS_TASK,
                        "localhost:9000/q/health/live",
                        "localhost:9000/q/health",
                        "healthCheck does not ask"),
                broken(
                        DeployFiles.ECS_TASK,
                        "localhost:9000/q/health/live",
                        "localhost:8080/q/health/live",
                        "healthCheck does not ask http://localhost:9000/q/health/live"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"containerPort\": 9000",
                        "\"containerPort\": 9090",
                        "no portMapping for the management interface's port 9000"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"awslogs-stream-prefix\"",
                        "\"awslogs-stream\"",
                        "logConfiguration must be awslogs"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"containerPort\": 8080",
                        "\"containerPort\": 80",
                        "no portMapping for the application's port 8080"),
                broken(
                        DeployFiles.ECS_TASK,
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"false\" }",
                        "{ \"name\": \"USE_LOCAL_STORAGE\", \"value\": \"true\" }",
                        "USE_LOCAL_STORAGE is not false"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"user\": \"185\"",
                        "\"user\": \"root\"",
                        "user root is not the image's user 185"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"readonlyRootFilesystem\": true",
                        "\"readonlyRootFilesystem\": false",
                        "readonlyRootFilesystem is not true"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"containerPath\": \"/tmp\"",
                        "\"containerPath\": \"/scratch\"",
                        "java.io.tmpdir (/tmp) is on the read-only root"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"sourceVolume\": \"tmp\"",
                        "\"sourceVolume\": \"temp\"",
                        "names volume temp, which the task lacks"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"drop\": [\"ALL\"]",
                        "\"drop\": [\"NET_RAW\"]",
                        "capabilities must drop ALL"),
                // Compose
                broken(
                        DeployFiles.COMPOSE,
                        "REELVAULT_PUBLIC_BASE_URL: http://localhost:8080",
                        "REELVAULT_PUBLIC_URL: http://localhost:8080",
                        "reelvault: REELVAULT_PUBLIC_URL is read by nothing"),
                broken(
                        DeployFiles.COMPOSE,
                        "      MP_JWT_VERIFY_AUDIENCES: ${MP_JWT_VERIFY_AUDIENCES:-reelvault}\n    volumes:\n      - ./storage",
                        "    volumes:\n      - ./storage",
                        "reelvault: mp.jwt.verify.audiences (MP_JWT_VERIFY_AUDIENCES) is not set"),
                broken(
                        DeployFiles.COMPOSE,
                        "- ./storage:/app/storage",
                        "- ./storage:/data",
                        "LOCAL_STORAGE_PATH /app/storage is not the ./storage volume"),
                broken(
                        DeployFiles.COMPOSE,
                        "LOCAL_STORAGE_PATH: /app/storage",
                        "LOCAL_STORAGE_PATH: /data/storage",
                        "is not the folder the image prepares"),
                broken(
                        DeployFiles.COMPOSE,
                        "      S3_ENDPOINT_URL: http://minio:9000\n      S3_PATH_STYLE: \"true\"\n      # MinIO",
                        "      S3_ENDPOINT_URL: http://localhost:9000\n      S3_PATH_STYLE: \"true\"\n      # MinIO",
                        "reelvault-s3: S3_ENDPOINT_URL http://localhost:9000 is not the MinIO"),
                broken(
                        DeployFiles.COMPOSE,
                        "      S3_PATH_STYLE: \"true\"\n      # MinIO",
                        "      S3_PATH_STYLE: \"false\"\n      # MinIO",
                        "S3_PATH_STYLE must be true"),
                broken(
                        DeployFiles.COMPOSE,
                        "dev/ai-video-dev-bucket",
                        "dev/other-bucket",
                        "no one-shot minio/mc service creates the bucket 'ai-video-dev-bucket'"),
                broken(
                        DeployFiles.COMPOSE,
                        "MINIO_ROOT_PASSWORD: reelvault-dev-secret",
                        "MINIO_ROOT_PASSWORD: other-secret",
                        "static AWS keys are for the MinIO"),
                broken(
                        DeployFiles.COMPOSE,
                        "REELVAULT_REDIS_URL: redis://redis:6379/0",
                        "REELVAULT_REDIS_URL: redis://localhost:6379/0",
                        "REELVAULT_REDIS_URL must name"),
                broken(
                        DeployFiles.COMPOSE,
                        "command: [\"bucket\", \"setup\"]",
                        "command: [\"bucket\", \"verify\"]",
                        "one-shot `bucket setup`"),
                broken(
                        DeployFiles.COMPOSE,
                        "service_healthy\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-fsS\", \"-o\", \"/dev/null\", \"http://localhost:9000/q/health/ready\"]",
                        "service_healthy\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-fsS\", \"-o\", \"/dev/null\", \"http://localhost:9000/q/health\"]",
                        "reelvault: the healthcheck does not ask http://localhost:9000/q/health/ready"),
                broken(
                        DeployFiles.COMPOSE,
                        "service_healthy\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-fsS\", \"-o\", \"/dev/null\", \"http://localhost:9000/q/health/ready\"]",
                        "service_healthy\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-fsS\", \"-o\", \"/dev/null\", \"http://localhost:8080/q/health/ready\"]",
                        "reelvault: the healthcheck does not ask http://localhost:9000/q/health/ready"),
                broken(
                        DeployFiles.COMPOSE,
                        "      - \"8080:8080\"\n",
                        "      - \"8080:8080\"\n      - \"127.0.0.1:9002:9000\"\n",
                        "reelvault: publishes the management port 9000 on the host"),
                broken(
                        DeployFiles.COMPOSE,
                        "      minio-create-bucket:\n        condition: service_completed_successfully\n    healthcheck:",
                        "      minio-create-bucket:\n        condition: service_started\n    healthcheck:",
                        "reelvault-s3: must wait for minio-create-bucket"),
                // Dockerfile
                broken(
                        DeployFiles.DOCKERFILE,
                        "EXPOSE 8080 9000\nUSER 185",
                        "EXPOSE 8080 9000\nUSER root",
                        "the last USER is root"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "EXPOSE 8080 9000",
                        "EXPOSE 8081 9000",
                        "EXPOSE [8081, 9000], the application listens on [8080, 9000]"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "EXPOSE 8080 9000",
                        "EXPOSE 8080",
                        "EXPOSE [8080], the application listens on [8080, 9000]"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "ENV LOCAL_STORAGE_PATH=/app/storage",
                        "ENV STORAGE_PATH=/app/storage",
                        "STORAGE_PATH is read by nothing"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/\n",
                        "",
                        "is not the quarkus-app layout"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "-jar /deployments/quarkus-run.jar \\\"$@\\\"\"",
                        "-jar /deployments/app.jar \\\"$@\\\"\"",
                        "ENTRYPOINT [/bin/sh, -c, exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar /deployments/app.jar"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar",
                        "exec java $JAVA_OPTS_APPEND -jar",
                        "is not [\"/bin/sh\", \"-c\""),
                broken(
                        DeployFiles.DOCKERFILE,
                        "ENTRYPOINT [ \"/bin/sh\", \"-c\", \"exec java",
                        "ENTRYPOINT [ \"/bin/sh\", \"-c\", \"java",
                        "java as PID 1"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "-XX:SharedArchiveFile=/deployments/app-cds.jsa",
                        "-XX:SharedArchiveFile=/deployments/other.jsa",
                        "maps the CDS archive /deployments/other.jsa, which no RUN writes"),
                // Dockerfile: ffmpeg, curl, the user
                broken(
                        DeployFiles.DOCKERFILE,
                        "FROM eclipse-temurin:17-jre-noble",
                        "FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21",
                        "is not a base whose distribution packages ffmpeg"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "FROM eclipse-temurin:17-jre-noble",
                        "FROM eclipse-temurin:21-jre-noble",
                        "is Java 21, the build compiles for 17"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "--no-install-recommends ffmpeg curl",
                        "--no-install-recommends curl",
                        "no RUN installs ffmpeg"),
                broken(DeployFiles.DOCKERFILE, " && ffprobe -version >/dev/null", "", "lacks `ffprobe -version`"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "    && rm -rf /var/lib/apt/lists/* \\\n",
                        "",
                        "lacks `rm -rf /var/lib/apt/lists/*`"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "install -y --no-install-recommends ffmpeg",
                        "install -y ffmpeg",
                        "lacks `--no-install-recommends`"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "--no-install-recommends ffmpeg curl",
                        "--no-install-recommends ffmpeg",
                        "does not install curl"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "ENV LOCAL_STORAGE_PATH=/app/storage",
                        "ENV LOCAL_STORAGE_PATH=/app/storage\nENV REELVAULT_MEDIA_ENABLED=false",
                        "REELVAULT_MEDIA_ENABLED is false: media work is off in the image"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "useradd --system --uid 185",
                        "useradd --system --uid 1001",
                        "no RUN creates the user 185"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "http://localhost:9000/q/health/live || exit 1",
                        "http://localhost:8080/q/health/live || exit 1",
                        "HEALTHCHECK does not curl http://localhost:9000/q/health/live"),
                // memory: room for ffmpeg beside the heap
                broken(
                        DEPLOYMENT,
                        "              cpu: \"2\"\n              memory: 3Gi",
                        "              cpu: \"2\"\n              memory: 1536Mi",
                        "deployment.yaml: the memory limit 1536 MiB minus the heap 614 MiB leaves 921 MiB"),
                broken(
                        DEPLOYMENT,
                        "              cpu: 500m\n              memory: 3Gi",
                        "              cpu: 500m\n              memory: 1Gi",
                        "the memory request is not the limit"),
                broken(
                        DEPLOYMENT,
                        "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "            - name: JAVA_OPTS\n              value: -XX:MaxRAMPercentage=80.0\n"
                                + "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "minus the heap 2457 MiB leaves 614 MiB"),
                broken(
                        DEPLOYMENT,
                        "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "            - name: JAVA_OPTS\n              value: -XX:MaxRAMPercentage=10 -Xmx2g\n"
                                + "            - name: QUARKUS_SHUTDOWN_DELAY",
                        "minus the heap 2048 MiB leaves 1024 MiB"),
                broken(
                        CONFIGMAP,
                        "  AWS_REGION: us-east-1",
                        "  AWS_REGION: us-east-1\n  REELVAULT_MEDIA_WORKERS: \"4\"",
                        "4 ffmpeg worker(s) (640 MiB each) need 2880 MiB"),
                broken(
                        CONFIGMAP,
                        "  AWS_REGION: us-east-1",
                        "  AWS_REGION: us-east-1\n  REELVAULT_MEDIA_ENABLED: \"false\"",
                        "deployment.yaml: REELVAULT_MEDIA_ENABLED is false"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"memory\": \"3072\"",
                        "\"memory\": \"2048\"",
                        "task-definition.json: the memory limit 2048 MiB minus the heap 819 MiB"),
                broken(
                        DeployFiles.ECS_TASK,
                        "\"essential\": true,",
                        "\"essential\": true, \"memory\": 1024,",
                        "task-definition.json: the memory limit 1024 MiB"),
                broken(
                        DeployFiles.DOCKERFILE,
                        "chown 185:0 /app/storage",
                        "chown 0:0 /app/storage",
                        "is not created and given to user 185"));
    }

    private static Arguments broken(String path, String from, String to, String expected) {
        return Arguments.of(
                path + ": " + from.lines().findFirst().orElse(from).trim() + " -> "
                        + to.lines().reduce((a, b) -> b).orElse("(removed)").trim(),
                path,
                from,
                to,
                expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void theBrokenCopyIsCaught(String name, String path, String from, String to, String expected) {
        List<String> problems = new DeployChecks(REAL.replace(path, from, to)).all();
        assertTrue(
                problems.stream().anyMatch(p -> p.contains(expected)),
                () -> "expected a problem containing '" + expected + "', got:\n" + String.join("\n", problems));
    }
}
