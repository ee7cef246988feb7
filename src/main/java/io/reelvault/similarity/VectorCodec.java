package io.reelvault.similarity;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Compact bytes of a prompt vector, for the shared store: whichever of two forms is shorter, exact float32 values
 * in both (so the client's cosine re-check is the same as on the original vector).
 * <ul>
 * <li>sparse: {@code 'S'}, then per non-zero component its index (uint16) and value (float32), little-endian:
 *     {@code 1 + 6 × non-zeros} bytes; a typical prompt of {@link HashedNgramEmbedder} has 150 to 400 non-zeros
 *     (0.9 to 2.4 KB);</li>
 * <li>dense: {@code 'D'}, then every component as float32 little-endian: {@code 1 + 4 × dimensions} bytes
 *     (4 KB at 1024 dimensions), used once more than two thirds of the components are non-zero.</li>
 * </ul>
 */
public final class VectorCodec {
    private static final byte SPARSE = 'S';
    private static final byte DENSE = 'D';

    private VectorCodec() {}

    public static byte[] encode(float[] vector) {
        if (vector.length > 65536) {
            throw new IllegalArgumentException("at most 65536 dimensions, not " + vector.length);
        }
        int nonZeros = 0;
        for (float x : vector) {
            if (x != 0) {
                nonZeros++;
            }
        }
        if (1 + 6L * nonZeros < 1 + 4L * vector.length) {
            ByteBuffer out = ByteBuffer.allocate(1 + 6 * nonZeros).order(ByteOrder.LITTLE_ENDIAN);
            out.put(SPARSE);
            for (int i = 0; i < vector.length; i++) {
                if (vector[i] != 0) {
                    out.putShort((short) i).putFloat(vector[i]);
                }
            }
            return out.array();
        }
        ByteBuffer out = ByteBuffer.allocate(1 + 4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(DENSE);
        for (float x : vector) {
            out.putFloat(x);
        }
        return out.array();
    }

    /**
     * {@link PromptEmbedder#cosine} of {@code query} and the stored vector {@code bytes}, read in place: a lookup
     * compares up to 64 candidates, and decoding each into a dense array made most of its garbage. The sums run
     * over the same products in the same order as on the decoded vector (the skipped ones are zeros), so the
     * result is identical.
     *
     * @throws IllegalArgumentException if the bytes are not a vector of {@code query.length} dimensions
     */
    public static double cosine(float[] query, byte[] bytes) {
        int dimensions = query.length;
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        double dot = 0;
        double normStored = 0;
        if (bytes.length > 0 && bytes[0] == SPARSE && (bytes.length - 1) % 6 == 0) {
            int previous = -1;
            for (int at = 1; at < bytes.length; at += 6) {
                int index = Short.toUnsignedInt(in.getShort(at));
                if (index >= dimensions || index <= previous) {
                    throw new IllegalArgumentException(
                            "a stored vector component " + index + " out of order or beyond " + dimensions);
                }
                previous = index;
                float x = in.getFloat(at + 2);
                dot += (double) query[index] * x;
                normStored += (double) x * x;
            }
        } else if (bytes.length == 1 + 4 * dimensions && bytes[0] == DENSE) {
            for (int i = 0; i < dimensions; i++) {
                float x = in.getFloat(1 + 4 * i);
                dot += (double) query[i] * x;
                normStored += (double) x * x;
            }
        } else {
            throw new IllegalArgumentException(
                    "not a stored vector of " + dimensions + " dimensions (" + bytes.length + " bytes)");
        }
        double normQuery = 0;
        for (float x : query) {
            normQuery += (double) x * x;
        }
        if (normQuery == 0 || normStored == 0) {
            return 0;
        }
        return Math.max(-1, Math.min(1, dot / Math.sqrt(normQuery * normStored)));
    }

    public static boolean isZero(float[] vector) {
        for (float x : vector) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
