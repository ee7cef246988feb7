package io.reelvault.storage;

import io.reelvault.common.Sha256;
import io.reelvault.model.TusUploadId;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The SHA-256 and CRC32C of resumable uploads' bytes, computed as each append receives them, so that a finished
 * upload is published without reading its bytes again ({@link AdoptableBody#digest}). Kept in this process's memory
 * only, for at most {@link #KEPT} uploads (the least recently appended forgotten first): it is an optimisation, never
 * the truth. A digest is used only when it covers exactly the bytes stored: it is continued only by an append that
 * starts where it ends (in this process, under the upload's lock), taken away for the time of each append and kept
 * again only when the stored bytes are exactly those it hashed (the append succeeded, or was interrupted and kept every
 * byte that arrived), and forgotten whenever bytes are cut ({@link #forget}); an upload continued
 * in another process, or one whose digest was forgotten, is hashed by one read of its bytes at publication, as before.
 */
public final class RunningDigests {
    /** Uploads whose digest is kept at most (each a few hundred bytes). */
    static final int KEPT = 1024;

    private final Map<TusUploadId, Running> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TusUploadId, Running> eldest) {
            return size() > KEPT;
        }
    };

    /** One upload's digest of its bytes {@code [0, end)}: updated by one append at a time, which owns it meanwhile. */
    public static final class Running {
        private final MessageDigest sha256 = Sha256.newDigest();
        private final CRC32C crc32c = new CRC32C();
        private long end;

        /** Adds the buffer's remaining bytes (its position and limit unchanged). */
        public void update(ByteBuffer bytes) {
            int at = bytes.position();
            sha256.update(bytes.duplicate());
            crc32c.update(bytes.duplicate().position(at));
            end += bytes.remaining();
        }

        /** The bytes hashed so far: the offset the next append must start at. */
        public long end() {
            return end;
        }
    }

    /**
     * The digest an append at {@code offset} continues, taken away until {@link #keep}: the kept one when it ends
     * exactly at {@code offset}, a new one when {@code offset} is 0, else empty (the bytes are then hashed at
     * publication; a kept digest that ends elsewhere stays, for an append at the right offset).
     */
    public synchronized Optional<Running> take(TusUploadId id, long offset) {
        Running running = kept.get(id);
        if (running != null && running.end == offset) {
            kept.remove(id);
            return Optional.of(running);
        }
        return offset == 0 ? Optional.of(new Running()) : Optional.empty();
    }

    /** Keeps the digest after an append whose stored bytes are exactly those it hashed. */
    public synchronized void keep(TusUploadId id, Running running) {
        kept.put(id, running);
    }

    /** Forgets the upload's digest: its bytes were cut, or it is gone. */
    public synchronized void forget(TusUploadId id) {
        kept.remove(id);
    }

    /**
     * The digest of the finished upload's {@code length} bytes, when this process hashed exactly those; forgotten
     * here either way (a publication takes it once).
     */
    public synchronized Optional<KnownDigest> finished(TusUploadId id, long length) {
        Running running = kept.remove(id);
        if (running == null || running.end != length) {
            return Optional.empty();
        }
        return Optional.of(new KnownDigest(Sha256.hex(running.sha256), running.crc32c.getValue()));
    }

    /** The SHA-256 (hex) and CRC32C (its unsigned value) of a body's bytes, known without reading them. */
    public record KnownDigest(String sha256, long crc32c) {}
}
