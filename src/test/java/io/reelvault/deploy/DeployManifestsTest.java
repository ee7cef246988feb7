package io.reelvault.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The deployment files (deploy/k8s, deploy/ecs/task-definition.json, docker/) parse strictly and agree with the
 * application; {@link DeployChecksCatchBreakageTest} shows that each check fails on a broken copy.
 */
@Tag("conformance")
class DeployManifestsTest {

    private static final DeployChecks CHECKS = new DeployChecks(DeployFiles.fromRepo());

    @Test
    void everyFileParsesStrictlyIntoItsType() {
        assertNone(CHECKS.parseProblems());
    }

    @Test
    void kubernetesManifestsAreLabelledAndAllListedInTheKustomization() {
        assertNone(CHECKS.k8sInventory());
    }

    @Test
    void kubernetesProbesAskTheApplicationsHealthPathsOnItsPort() {
        assertNone(CHECKS.k8sProbesAndPorts());
    }

    @Test
    void kubernetesServiceSelectsThePodsAndTargetsTheContainerPort() {
        assertNone(CHECKS.k8sService());
    }

    @Test
    void prometheusScrapesTheMetricsPathOnTheApplicationsPort() {
        assertNone(CHECKS.k8sMetrics());
    }

    @Test
    void kubernetesSetsOnlySettingsTheApplicationReadsAndNoStaticKeys() {
        assertNone(CHECKS.k8sEnvironment());
    }

    @Test
    void kubernetesPodsUseTheServiceAccountWithTheIrsaRole() {
        assertNone(CHECKS.k8sIdentity());
    }

    @Test
    void kubernetesPodsRunAsNonRootOnAReadOnlyRootWithWritableTemp() {
        assertNone(CHECKS.k8sSecurity());
    }

    @Test
    void kubernetesGracePeriodCoversTheShutdownDelayAndTimeout() {
        assertNone(CHECKS.k8sShutdown());
    }

    @Test
    void autoscalerAndDisruptionBudgetTargetTheDeployment() {
        assertNone(CHECKS.k8sScaling());
    }

    @Test
    void secretTemplateHoldsPlaceholdersOnly() {
        assertNone(CHECKS.k8sSecretTemplate());
    }

    @Test
    void ecsTaskDefinitionUsesTheTaskRoleSecretsAndAStopTimeoutThatCoversShutdown() {
        assertNone(CHECKS.ecsTask());
    }

    @Test
    void composeRunsTheServiceWithRedisAndMinio() {
        assertNone(CHECKS.composeFile());
    }

    @Test
    void dockerfileRunsTheFastJarAsNonRootWithFfmpegInstalled() {
        assertNone(CHECKS.dockerfile());
    }

    @Test
    void kubernetesAndEcsMemoryLeavesRoomForFfmpegBesideTheHeap() {
        assertNone(CHECKS.memory());
    }

    static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n" + String.join("\n", problems));
    }
}
