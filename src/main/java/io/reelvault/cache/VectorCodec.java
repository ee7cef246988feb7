package io.reelvault.cache;

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
final class VectorCodec {
    private static final byte SPARSE = 'S';
    private static final byte DENSE = 'D';

    private VectorCodec() {}

    static byte[] encode(float[] vector) {
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
     * @throws IllegalArgumentException if the bytes are not a vector of {@code dimensions}
     */
    static float[] decode(byte[] bytes, int dimensions) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[dimensions];
        if (bytes.length > 0 && bytes[0] == SPARSE && (bytes.length - 1) % 6 == 0) {
            in.position(1);
            while (in.hasRemaining()) {
                int index = Short.toUnsignedInt(in.getShort());
                if (index >= dimensions) {
                    throw new IllegalArgumentException("a stored vector component " + index + " beyond " + dimensions);
                }
                vector[index] = in.getFloat();
            }
            return vector;
        }
        if (bytes.length == 1 + 4 * dimensions && bytes[0] == DENSE) {
            in.position(1);
            for (int i = 0; i < dimensions; i++) {
                vector[i] = in.getFloat();
            }
            return vector;
        }
        throw new IllegalArgumentException("not a stored vector of " + dimensions + " dimensions (" + bytes.length + " bytes)");
    }

    static boolean isZero(float[] vector) {
        for (float x : vector) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
