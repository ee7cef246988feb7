package io.reelvault.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ReadinessStateTest {
    @Test
    void gaugeIsNanUntilACheckThenZeroWhileAnyCheckIsDown() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReadinessState state = new ReadinessState(registry);
        assertTrue(Double.isNaN(registry.get("reelvault.ready").gauge().value()), "not asked yet");
        state.record("storage", true);
        assertEquals(1.0, registry.get("reelvault.ready").gauge().value());
        state.record("other", false);
        assertEquals(0.0, registry.get("reelvault.ready").gauge().value());
        state.record("other", true);
        assertEquals(1.0, registry.get("reelvault.ready").gauge().value());
    }
}
