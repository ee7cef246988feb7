package io.reelvault.api;

import jakarta.ws.rs.Priorities;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Applies {@link StreamedBody}: once shutdown has begun the method does not run and the answer is 503
 * {@code shutting_down} with {@code Retry-After}; nothing of the body is read (and a client waiting on
 * {@code Expect: 100-continue} never sends it). Runs before the rate limiter, so a refused upload costs the caller
 * no token.
 */
public class ShutdownFilter {
    private final ShutdownGate gate;

    public ShutdownFilter(ShutdownGate gate) {
        this.gate = gate;
    }

    @ServerRequestFilter(priority = Priorities.USER - 100)
    @StreamedBody
    public void refuseWhileShuttingDown() {
        gate.admitUpload();
    }
}
