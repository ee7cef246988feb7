package io.reelvault.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a full read checks ({@link StoredDigest#forRead}): the CRC32C alone when it is well-formed, read without
 * listing the attributes; otherwise what {@link StoredDigest#readAll} finds, so that a malformed or missing CRC32C
 * sends the read to the SHA-256, never around the check.
 */
class StoredDigestTest {
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void file() throws IOException {
        assumeTrue(StoredDigest.supported(dir), "this filesystem keeps user extended attributes");
        file = Files.writeString(dir.resolve("object.bin"), "bytes");
    }

    @Test
    void aWellFormedCrc32cIsAllAFullReadNeeds() throws IOException {
        StoredDigest.write(file, SHA, 0x1234abcdL);
        assertEquals(new StoredDigest.Recorded(Optional.empty(), Optional.of("1234abcd")), StoredDigest.forRead(file));
        assertEquals(new StoredDigest.Recorded(Optional.of(SHA), Optional.of("1234abcd")), StoredDigest.readAll(file));
    }

    @Test
    void anObjectWithoutACrc32cIsCheckedByItsSha256() throws IOException {
        StoredDigest.write(file, SHA);
        assertEquals(new StoredDigest.Recorded(Optional.of(SHA), Optional.empty()), StoredDigest.forRead(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0123456789", "DEADBEEF", "1234abc", "1234abcg", "", "0123456789abcdef0123456789abcdef"})
    void aMalformedCrc32cSendsTheReadToTheSha256(String malformed) throws IOException {
        StoredDigest.write(file, SHA);
        StoredDigest.writeCrc32c(file, malformed);
        assertEquals(new StoredDigest.Recorded(Optional.of(SHA), Optional.empty()), StoredDigest.forRead(file));
    }

    @Test
    void aFileWithNeitherIsUnchecked() throws IOException {
        assertEquals(StoredDigest.Recorded.NONE, StoredDigest.forRead(file));
    }

    @Test
    void aCrc32cIsWrittenAsEightLowerCaseHexDigitsOfItsUnsignedValue() {
        assertEquals("00000000", StoredDigest.crc32cHex(0));
        assertEquals("00000001", StoredDigest.crc32cHex(1));
        assertEquals("0000abcd", StoredDigest.crc32cHex(0xabcdL));
        assertEquals("ffffffff", StoredDigest.crc32cHex(0xffffffffL));
        assertEquals("80000000", StoredDigest.crc32cHex(0x80000000L));
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> StoredDigest.forRead(dir.resolve("gone.bin")));
    }
}
