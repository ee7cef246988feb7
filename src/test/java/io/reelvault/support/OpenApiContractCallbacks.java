package io.reelvault.support;

import io.quarkus.test.junit.callback.QuarkusTestAfterEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;

/**
 * Installs {@link OpenApiContract}'s filter around each test method of every {@code @QuarkusTest} class but those
 * annotated {@link OpenApiContract.Unchecked} (registered in META-INF/services, so it runs in the application's class loader,
 * where the test's RestAssured is).
 */
public class OpenApiContractCallbacks implements QuarkusTestBeforeEachCallback, QuarkusTestAfterEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (checked(context)) {
            OpenApiContract.install();
        }
    }

    @Override
    public void afterEach(QuarkusTestMethodContext context) {
        if (checked(context)) {
            OpenApiContract.uninstall();
        }
    }

    private static boolean checked(QuarkusTestMethodContext context) {
        return checked(context.getTestInstance().getClass());
    }

    /** Whether the answers of this test class are validated: unless it, a superclass or an enclosing class opts out. */
    public static boolean checked(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            if (c.isAnnotationPresent(OpenApiContract.Unchecked.class)) {
                return false;
            }
        }
        return true;
    }
}
