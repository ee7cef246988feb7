package io.reelvault;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of {@code docs/ARCHITECTURE.md}, checked on the production classes. From the bottom:
 * <ol>
 * <li><b>foundation</b>: {@code model}, {@code error}, {@code config}, {@code common}, {@code metrics} (names of the
 * meters): typed values and settings, no I/O;</li>
 * <li><b>domain</b>: the contracts and what works on them alone: {@code storage} (the {@code ObjectStore} port),
 * {@code cluster}, {@code cache}, {@code similarity}, {@code ratelimit}, {@code metering}, {@code media};</li>
 * <li><b>adapters</b>: {@code storage.local}, {@code storage.s3}, {@code redis}: the only code that touches a
 * filesystem layout, the AWS SDK or the Redis client;</li>
 * <li><b>service</b>: the features ({@code service.upload}, {@code service.generation}, ...);</li>
 * <li><b>edge</b>: {@code api} (HTTP) and {@code health};</li>
 * <li><b>app</b>: {@code app} (the producers that choose adapters from config) and {@code cli}.</li>
 * </ol>
 * An arrow may only point down (or stay in its layer without a cycle). The one documented exception: the
 * signed-URL route {@code api.StorageRoutes} serves bytes straight from the storage port, because a signed URL
 * is checked by the storage's own verifier and has no service behind it.
 */
class ArchitectureTest {
    private static final String ROOT = "io.reelvault";
    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void layersOnlyPointDown() {
        ArchRule layers = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Foundation")
                .definedBy(pkgs("model", "error", "config", "common", "metrics"))
                .layer("Domain")
                .definedBy(
                        ROOT + ".storage",
                        ROOT + ".cluster..",
                        ROOT + ".cache..",
                        ROOT + ".similarity..",
                        ROOT + ".ratelimit..",
                        ROOT + ".metering..",
                        ROOT + ".media..")
                .layer("Adapters")
                .definedBy(pkgs("storage.local", "storage.s3", "redis"))
                .layer("Service")
                .definedBy(pkgs("service"))
                .layer("Edge")
                .definedBy(pkgs("api", "health"))
                .layer("App")
                .definedBy(pkgs("app", "cli"))
                .whereLayer("App")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Edge")
                .mayOnlyBeAccessedByLayers("App")
                .whereLayer("Service")
                .mayOnlyBeAccessedByLayers("Edge", "App")
                .whereLayer("Adapters")
                .mayOnlyBeAccessedByLayers("App")
                .whereLayer("Domain")
                .mayOnlyBeAccessedByLayers("Adapters", "Service", "Edge", "App")
                .whereLayer("Foundation")
                .mayOnlyBeAccessedByLayers("Domain", "Adapters", "Service", "Edge", "App");
        layers.check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theAwsSdkStaysInTheS3Adapter() {
        noClasses()
                .that(not(resideInAPackage(ROOT + ".storage.s3..")))
                .should()
                .dependOnClassesThat(resideInAPackage("software.amazon.."))
                .because("the S3 backend translates the SDK's types and errors at its own boundary")
                .check(classes);
    }

    @Test
    void theRedisClientStaysInTheRedisAdapter() {
        noClasses()
                .that(not(resideInAPackage(ROOT + ".redis..")))
                .should()
                .dependOnClassesThat(
                        resideInAnyPackage("io.vertx.redis..", "io.vertx.mutiny.redis..", "io.quarkus.redis.."))
                .because("Redis is shared state behind the cluster, cache, rate-limit and usage ports")
                .check(classes);
    }

    @Test
    void resourcesDoNotTouchStorage() {
        noClasses()
                .that(resideInAnyPackage(ROOT + ".api.."))
                .and()
                .doNotHaveFullyQualifiedName(ROOT + ".api.StorageRoutes")
                .should()
                .dependOnClassesThat(resideInAPackage(ROOT + ".storage.."))
                .because("resources call services; only the signed-URL route reads the storage port itself")
                .check(classes);
    }

    private static String[] pkgs(String... names) {
        String[] out = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = ROOT + "." + names[i] + "..";
        }
        return out;
    }
}
