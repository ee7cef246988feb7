package io.reelvault.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelvault.storage.ObjectStore;
import io.reelvault.storage.ReadinessProbe;
import io.smallrye.mutiny.Uni;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** A burst of readiness calls runs the storage probe (a file written, an S3 request) at most once per interval. */
class StorageReadinessCheckTest {
    /** Counts its runs; each run completes when the test says so. */
    static final class CountingProbe implements ReadinessProbe {
        final AtomicInteger runs = new AtomicInteger();
        final List<CompletableFuture<Void>> pending = new ArrayList<>();
        volatile boolean fail;

        @Override
        public synchronized Uni<Void> probe() {
            runs.incrementAndGet();
            CompletableFuture<Void> done = new CompletableFuture<>();
            pending.add(done);
            return Uni.createFrom().completionStage(done).onItem().invoke(() -> {
                if (fail) throw new IllegalStateException("down");
            });
        }

        synchronized void completeAll() {
            pending.forEach(f -> f.complete(null));
            pending.clear();
        }

        @Override
        public String describe() {
            return "counting";
        }
    }

    static ObjectStore storeWith(ReadinessProbe probe) {
        return (ObjectStore) Proxy.newProxyInstance(
                ObjectStore.class.getClassLoader(), new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("capability")) {
                        return args[0] == ReadinessProbe.class ? Optional.of(probe) : Optional.empty();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aBurstOfCallsMakesOneProbePerInterval() {
        CountingProbe probe = new CountingProbe();
        AtomicLong now = new AtomicLong(1_000_000_000L);
        StorageReadinessCheck check = new StorageReadinessCheck(
                storeWith(probe), new ReadinessState(new SimpleMeterRegistry()), Duration.ofSeconds(1), now::get);

        // 200 calls while the first probe is still running: they all wait for that one
        List<CompletableFuture<HealthCheckResponse>> burst = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            burst.add(check.call().subscribeAsCompletionStage());
        }
        assertEquals(1, probe.runs.get(), "one probe for a burst while it runs");
        probe.completeAll();
        for (CompletableFuture<HealthCheckResponse> answer : burst) {
            assertEquals(HealthCheckResponse.Status.UP, answer.join().getStatus());
        }

        // within the interval: the same answer, no probe
        now.addAndGet(Duration.ofMillis(999).toNanos());
        for (int i = 0; i < 200; i++) {
            assertEquals(
                    HealthCheckResponse.Status.UP,
                    check.call().await().indefinitely().getStatus());
        }
        assertEquals(1, probe.runs.get(), "no probe within the interval");

        // past it: one new probe, whose verdict (DOWN now) is the answer
        now.addAndGet(Duration.ofMillis(1).toNanos());
        probe.fail = true;
        List<CompletableFuture<HealthCheckResponse>> next = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            next.add(check.call().subscribeAsCompletionStage());
        }
        assertEquals(2, probe.runs.get(), "one probe in the next interval");
        probe.completeAll();
        for (CompletableFuture<HealthCheckResponse> answer : next) {
            assertEquals(HealthCheckResponse.Status.DOWN, answer.join().getStatus());
        }
    }
}
