package io.reelvault.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Room for the real tus clients' 200 MiB uploads: a pipeline limit of 256M (the test default is 64M). */
public class TusClientProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("reelvault.pipeline.max-size", "256M");
    }
}
