package io.reelvault.service;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;

/** Tests on failures the services branch on. */
final class Failures {
    private Failures() {}

    static boolean isNotFound(Throwable e) {
        return e instanceof ReelvaultException r && r.code() == ErrorCode.NOT_FOUND;
    }

    /** A failure caused by the request (4xx), as opposed to the backend or the service. */
    static boolean isClientError(Throwable e) {
        return e instanceof ReelvaultException r && r.code().status() < 500;
    }
}
