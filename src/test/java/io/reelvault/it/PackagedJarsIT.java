package io.reelvault.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Every jar of the packaged application holds its entries stored, not deflated ({@code src/main/cds/StoreJars.java},
 * part of {@code ./mvnw package}): the class loader reads them at each start without inflating them. A jar the build
 * could not rewrite (it warns and goes on) is named here.
 */
class PackagedJarsIT {
    @Test
    void everyJarOfTheApplicationIsStored() throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.walk(PackagedApp.JAR.getParent())) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .toList();
        }
        assertTrue(jars.size() > 100, "the application's jars: " + jars.size());
        List<String> deflated = new ArrayList<>();
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                if (zip.stream().anyMatch(e -> e.getMethod() != ZipEntry.STORED)) {
                    deflated.add(jar.getFileName().toString());
                }
            }
        }
        assertEquals(List.of(), deflated, "jars with deflated entries");
    }
}
