package io.reelvault.similarity;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random-hyperplane locality-sensitive hashing of prompt vectors into buckets, so that a lookup
 * reads a few buckets instead of every stored entry. The store puts an entry into the bucket of
 * each band ({@link #bucketKeys(float[])}, under the parameter fingerprint and {@link #id()}); a
 * lookup takes the union of its own buckets' entries as candidates and re-checks each
 * candidate's exact cosine, so the index can only cost a miss, never a wrong match.
 *
 * <p>Each of {@code bands × rowsPerBand} hyperplanes through the origin has Gaussian components
 * drawn from {@link Random} with a fixed seed ({@code Random}'s algorithm is specified, so every
 * JVM draws the same planes). A vector's bit for a plane is whether it lies on the plane's
 * non-negative side; a band's bucket is its {@code rowsPerBand} bits. Two vectors at angle
 * θ = acos(cosine) agree on a plane with probability p = 1 - θ/π, and share at least one bucket
 * with probability P = 1 - (1 - p^r)^b ({@link #collisionProbability(double, int, int)}).
 * With the defaults, b = {@value #DEFAULT_BANDS} bands of r = {@value #DEFAULT_ROWS_PER_BAND}
 * bits:
 * <pre>
 * cosine   0.97    0.95    0.90    0.80    0.70    0.50    0.30    0.00
 * P        0.9998  0.9936  0.842   0.337   0.110   0.012   0.0013  0.00004
 * </pre>
 * so a prompt at the 0.95 threshold is found with probability above 0.99, and an entry at cosine
 * 0.7 or less is a candidate for at most one lookup in nine (one in eighty at 0.5). Fewer or
 * shorter bands store less but miss more: 8 × 12 finds only 0.93 at cosine 0.95 while still
 * letting 0.22 through at 0.7. Every entry costs {@code bands} set members in the store.
 */
public final class LshIndex {
    /** Default number of bands (buckets per entry). */
    public static final int DEFAULT_BANDS = 40;
    /** Default number of hyperplanes (bits) per band. */
    public static final int DEFAULT_ROWS_PER_BAND = 20;
    /** Default seed of the hyperplanes. */
    public static final long DEFAULT_SEED = 0x7265656C7661756CL;

    private static final String VERSION = "lsh1";
    private static final int MAX_PLANES = 4096;

    private final int dimensions;
    private final int bands;
    private final int rowsPerBand;
    private final long seed;
    /** planes[dimension * planeCount + plane]: one dimension's components of every plane side by side. */
    private final float[] planes;

    /** An index of the default bands, rows and seed over vectors of {@code dimensions}. */
    public LshIndex(int dimensions) {
        this(dimensions, DEFAULT_BANDS, DEFAULT_ROWS_PER_BAND, DEFAULT_SEED);
    }

    /**
     * @param dimensions  length of the vectors it hashes
     * @param bands       buckets per vector, at least 1
     * @param rowsPerBand bits per bucket, 1 to 32
     * @param seed        seed of the hyperplanes; every replica must use the same
     * @throws IllegalArgumentException if a setting is out of range, or there are more than 4096 planes
     */
    public LshIndex(int dimensions, int bands, int rowsPerBand, long seed) {
        if (dimensions < 1
                || bands < 1
                || rowsPerBand < 1
                || rowsPerBand > 32
                || (long) bands * rowsPerBand > MAX_PLANES) {
            throw new IllegalArgumentException(
                    "LSH needs dimensions >= 1, bands >= 1, 1 to 32 rows per band and at most " + MAX_PLANES
                            + " planes; got " + dimensions + ", " + bands + ", " + rowsPerBand);
        }
        this.dimensions = dimensions;
        this.bands = bands;
        this.rowsPerBand = rowsPerBand;
        this.seed = seed;
        int planeCount = bands * rowsPerBand;
        float[] drawn = new float[dimensions * planeCount];
        Random random = new Random(seed);
        for (int plane = 0; plane < planeCount; plane++) {
            for (int d = 0; d < dimensions; d++) {
                drawn[d * planeCount + plane] = (float) random.nextGaussian();
            }
        }
        this.planes = drawn;
    }

    /**
     * One bucket per band: {@code b{band}:{bits}}, the band's bits as fixed-width lower-case hex
     * (first plane in the lowest bit), e.g. {@code b7:0a3f1}. Equal vectors give equal keys on
     * every JVM.
     *
     * @throws IllegalArgumentException if the vector's length is not the index's dimensions
     */
    public List<String> bucketKeys(float[] vector) {
        if (vector.length != dimensions) {
            throw new IllegalArgumentException(
                    "a vector of " + vector.length + " dimensions for an index of " + dimensions);
        }
        int planeCount = bands * rowsPerBand;
        double[] dots = new double[planeCount];
        for (int d = 0; d < dimensions; d++) {
            float x = vector[d];
            if (x != 0) {
                int base = d * planeCount;
                for (int plane = 0; plane < planeCount; plane++) {
                    dots[plane] += (double) x * planes[base + plane];
                }
            }
        }
        int hexDigits = (rowsPerBand + 3) / 4;
        List<String> keys = new ArrayList<>(bands);
        for (int band = 0; band < bands; band++) {
            long bits = 0;
            for (int row = 0; row < rowsPerBand; row++) {
                if (dots[band * rowsPerBand + row] >= 0) {
                    bits |= 1L << row;
                }
            }
            String hex = Long.toHexString(bits);
            keys.add("b" + band + ":" + "0".repeat(hexDigits - hex.length()) + hex);
        }
        return keys;
    }

    /**
     * Names the version and every setting that changes the buckets, e.g.
     * {@code lsh1-d1024-b40-r20-s7265656c7661756c}; buckets are stored under it, so that a
     * change of settings never mixes buckets of different planes.
     */
    public String id() {
        return VERSION + "-d" + dimensions + "-b" + bands + "-r" + rowsPerBand + "-s" + Long.toHexString(seed);
    }

    /**
     * P = 1 - (1 - p^r)^b with p = 1 - acos(cosine)/π: the probability that two vectors at
     * {@code cosine} share at least one of {@code bands} buckets of {@code rowsPerBand} bits.
     */
    public static double collisionProbability(double cosine, int bands, int rowsPerBand) {
        double agree = 1 - Math.acos(Math.max(-1, Math.min(1, cosine))) / Math.PI;
        return 1 - Math.pow(1 - Math.pow(agree, rowsPerBand), bands);
    }
}
