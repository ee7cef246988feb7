package io.reelvault.storage;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;

/**
 * A conditional write ({@link ObjectStore#putIf}) found another object at its key than the one it was
 * conditioned on (S3's {@code 412 PreconditionFailed}, or {@code 409 ConditionalRequestConflict} when a
 * concurrent conditional write to the key was in progress): nothing was written. Callers re-read and try
 * again; should one escape to a response, it is a {@code conflict}.
 */
public final class PreconditionFailedException extends ReelvaultException {
    public PreconditionFailedException(String detail) {
        super(ErrorCode.CONFLICT, detail);
    }

    public PreconditionFailedException(String detail, Throwable cause) {
        super(ErrorCode.CONFLICT, detail, cause);
    }
}
