package io.reelvault.storage;

import io.smallrye.mutiny.Uni;

/** Capability: a cheap check that the backend can serve now (root writable, bucket reachable). */
public interface ReadinessProbe {
    /** Completes with null when ready; fails with a message safe for the health endpoint otherwise. */
    Uni<Void> probe();

    /** A short description of what is probed, without secrets (e.g. {@code local filesystem}). */
    String describe();
}
