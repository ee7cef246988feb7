package io.reelvault.service.tus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code Upload-Metadata} and {@code Upload-Checksum} as the service parses them: good forms and hostile ones. */
class TusHeadersParsingTest {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void metadataPairsDecodeInOrderAndAValueMayBeAbsent() {
        TusMetadata meta =
                TusMetadata.parse("filename " + b64("logo é.png") + ", filetype " + b64("image/png") + ",flag");
        assertEquals(Map.of("filename", "logo é.png", "filetype", "image/png", "flag", ""), meta.values());
        assertTrue(meta.get("flag").isEmpty());
        assertTrue(TusMetadata.parse(null).values().isEmpty());
        assertTrue(TusMetadata.parse("").values().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "filename !!!", // not Base64
                "filename a b", // three parts
                "file/name YQ==", // key grammar
                "a YQ==,a YQ==", // twice
                "filename AA==", // NUL: a control character
                "filename wyg=", // not UTF-8
                " YQ==", // empty key
            })
    void malformedMetadataIsInvalidRequest(String header) {
        ReelvaultException e = assertThrows(ReelvaultException.class, () -> TusMetadata.parse(header));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    }

    @Test
    void metadataIsBounded() {
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                assertThrows(ReelvaultException.class, () -> TusMetadata.parse("k " + "A".repeat(5000)))
                        .code());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("k").append(i);
        }
        assertEquals(
                ErrorCode.INVALID_REQUEST,
                assertThrows(ReelvaultException.class, () -> TusMetadata.parse(many.toString()))
                        .code());
    }

    @Test
    void checksumsOfEachAlgorithmVerifyTheirChunk() throws Exception {
        byte[] chunk = "some bytes of a chunk".getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(chunk);
        Map<String, byte[]> digests = Map.of(
                "sha1", MessageDigest.getInstance("SHA-1").digest(chunk),
                "sha256", MessageDigest.getInstance("SHA-256").digest(chunk),
                "crc32c", ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        digests.forEach((algorithm, digest) -> {
            UploadChecksum checksum = UploadChecksum.parse(
                            algorithm + " " + Base64.getEncoder().encodeToString(digest))
                    .orElseThrow();
            assertArrayEquals(digest, checksum.expected());
            UploadChecksum.Verifier good = checksum.verifier();
            good.update(ByteBuffer.wrap(chunk, 0, 5));
            good.update(ByteBuffer.wrap(chunk, 5, chunk.length - 5));
            good.check();
            UploadChecksum.Verifier bad = checksum.verifier();
            bad.update(ByteBuffer.wrap(chunk, 1, chunk.length - 1));
            assertEquals(
                    ErrorCode.CHECKSUM_MISMATCH,
                    assertThrows(ReelvaultException.class, bad::check).code());
        });
        assertTrue(UploadChecksum.parse(null).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"md5 AAAAAAAAAAAAAAAAAAAAAA==", "sha256", "sha256 !!", "sha256 AAAA", "sha1  x", ""})
    void otherOrMalformedChecksumsAreUnsupported(String header) {
        assertEquals(
                ErrorCode.CHECKSUM_UNSUPPORTED,
                assertThrows(ReelvaultException.class, () -> UploadChecksum.parse(header))
                        .code());
    }
}
