import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Part of {@code ./mvnw package} (exec-maven-plugin, after quarkus:build, before the AppCDS training run): rewrites every
 * jar under the packaged application's folder with its entries stored instead of deflated, the way the JDK keeps its
 * own modules file. Why: Quarkus' class loader reads each class's bytes from its jar at every start, the AppCDS
 * archive notwithstanding (an archived class of a custom class loader is matched against those bytes), and inflating
 * them was 7-8 % of the main thread's start (async-profiler, wall clock); stored jars started 90-150 ms sooner in two
 * alternating rounds of 12 starts each (bench/startup.sh's way, 2 CPUs). The folder grows from ~96 to ~177 MB on
 * disk; a container image's layers are compressed as a whole, so what a node pulls barely changes.
 *
 * <pre>java src/main/cds/StoreJars.java target/quarkus-app</pre>
 *
 * A jar that cannot be rewritten is left as it was, with a warning (the build goes on; PackagedJarsIT then fails).
 * Entries keep their order, names, times and comments; a jar's signature files, which sign the entries' contents,
 * stay valid. Runs with the JDK only (a single-file source program); it is not part of the application.
 */
public class StoreJars {
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java StoreJars.java APP_DIR");
            System.exit(2);
        }
        List<Path> jars;
        try (Stream<Path> files = Files.walk(Path.of(args[0]))) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        long before = 0;
        long after = 0;
        int rewritten = 0;
        for (Path jar : jars) {
            before += Files.size(jar);
            try {
                if (store(jar)) {
                    rewritten++;
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("[store-jars] WARNING: " + jar + " left deflated: " + e);
            }
            after += Files.size(jar);
        }
        System.out.printf(
                "[store-jars] %d of %d jars rewritten with stored entries: %d -> %d MiB%n",
                rewritten, jars.size(), before >> 20, after >> 20);
    }

    /** Rewrites {@code jar} with stored entries (through a sibling file, then moved over it); false: already so. */
    static boolean store(Path jar) throws IOException {
        Path stored = jar.resolveSibling(jar.getFileName() + ".stored");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.stream().allMatch(e -> e.getMethod() == ZipEntry.STORED)) {
                return false;
            }
            try (OutputStream file = Files.newOutputStream(stored);
                    ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(file, 1 << 16))) {
                out.setMethod(ZipOutputStream.STORED);
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    byte[] data;
                    try (InputStream in = zip.getInputStream(entry)) {
                        data = in.readAllBytes();
                    }
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    ZipEntry copy = new ZipEntry(entry.getName());
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(data.length);
                    copy.setCompressedSize(data.length);
                    copy.setCrc(crc.getValue());
                    copy.setTime(entry.getTime());
                    copy.setComment(entry.getComment());
                    out.putNextEntry(copy);
                    out.write(data);
                    out.closeEntry();
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(stored);
                throw e;
            }
        }
        Files.move(stored, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }
}
