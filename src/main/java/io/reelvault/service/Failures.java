package io.reelvault.service;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/** Tests on failures the services branch on. */
public final class Failures {
    private Failures() {}

    public static boolean isNotFound(Throwable e) {
        return e instanceof ReelvaultException r && r.code() == ErrorCode.NOT_FOUND;
    }

    /** A failure caused by the request (4xx), as opposed to the backend or the service. */
    public static boolean isClientError(Throwable e) {
        return e instanceof ReelvaultException r && r.code().status() < 500;
    }

    /**
     * A metadata read for listings: empty when the document vanished (deleted meanwhile) or its object
     * or the resource it describes is past {@code expiresAt}.
     */
    public static <T> Uni<Optional<T>> readIfLive(Uni<T> read, Function<T, Instant> expiresAt, Clock clock) {
        return read.map(m -> clock.instant().isBefore(expiresAt.apply(m)) ? Optional.of(m) : Optional.<T>empty())
                .onFailure(e -> isNotFound(e) || e instanceof ReelvaultException r && r.code() == ErrorCode.EXPIRED)
                .recoverWithItem(Optional.empty());
    }

    /** {@code expired} (404) naming {@code what} when {@code now} is at or past {@code expiresAt}. */
    public static void requireLive(String what, Instant expiresAt, Clock clock) {
        if (!clock.instant().isBefore(expiresAt)) {
            throw new ReelvaultException(ErrorCode.EXPIRED, "the " + what + " passed its retention on " + expiresAt);
        }
    }
}
