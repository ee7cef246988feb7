package io.reelvault.media;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** The last bytes of a stream read to its end, so that a chatty process can neither block on a full pipe nor fill the heap. */
final class OutputTail {
    private final byte[] bytes;
    private final boolean truncated;

    private OutputTail(byte[] bytes, boolean truncated) {
        this.bytes = bytes;
        this.truncated = truncated;
    }

    /** Reads {@code in} to its end, keeping at most its last {@code keep} bytes. Does not close {@code in}. */
    static OutputTail read(InputStream in, int keep) throws IOException {
        byte[] buffer = new byte[2 * keep];
        int length = 0;
        boolean truncated = false;
        int n;
        while ((n = in.read(buffer, length, buffer.length - length)) >= 0) {
            length += n;
            if (length == buffer.length) {
                System.arraycopy(buffer, length - keep, buffer, 0, keep);
                length = keep;
                truncated = true;
            }
        }
        if (length > keep) {
            return new OutputTail(Arrays.copyOfRange(buffer, length - keep, length), true);
        }
        return new OutputTail(Arrays.copyOf(buffer, length), truncated);
    }

    byte[] bytes() {
        return bytes;
    }

    /** Whether bytes before {@link #bytes()} were dropped. */
    boolean truncated() {
        return truncated;
    }
}
