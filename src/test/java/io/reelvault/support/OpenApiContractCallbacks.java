package io.reelvault.support;

import io.quarkus.test.junit.callback.QuarkusTestAfterEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;

/**
 * Installs {@link OpenApiContract}'s filter around each test method of a class annotated
 * {@link OpenApiContract.Checked} (registered in META-INF/services, so it runs in the application's class loader,
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
        for (Class<?> c = context.getTestInstance().getClass(); c != null; c = c.getEnclosingClass()) {
            if (c.isAnnotationPresent(OpenApiContract.Checked.class)) {
                return true;
            }
        }
        return false;
    }
}
