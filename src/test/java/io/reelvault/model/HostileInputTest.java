package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile keys and ids are rejected where they enter: at parsing, with a coded error. */
class HostileInputTest {

    static Stream<String> hostileKeys() {
        return Stream.of(
                "../etc/passwd",
                "uploads/../../etc/passwd",
                "uploads/u1/../../../etc/passwd",
                "uploads/u1/./original.png",
                "uploads/..",
                "uploads/.",
                "/uploads/u1/original.png",
                "/etc/passwd",
                "uploads//original.png",
                "uploads/u1/",
                "uploads",
                "",
                "uploads/%2e%2e/%2e%2e/etc/passwd",
                "uploads/%252e%252e/etc/passwd",
                "uploads/..%2fetc",
                "uploads/u1/a\0.png",
                "uploads/u1/a\n.png",
                "uploads/u1/a\r.png",
                "uploads/u1/a\t.png",
                "uploads/u1/a\u007f.png",
                "uploads/u1/a\u0085.png",
                "uploads\\..\\..\\windows",
                "C:\\Windows\\system.ini",
                "uploads/\u2024\u2024/etc", // ONE DOT LEADER look-alikes
                "uploads/\uFF0E\uFF0E/etc", // FULLWIDTH FULL STOP
                "uploads/\u2025/etc", // TWO DOT LEADER
                "uploads/\u00b7\u00b7/etc", // MIDDLE DOT
                "uploads/u1/\u202Egnp.exe", // right-to-left override
                "uploads/u1/.hidden",
                "uploads/u1/a b.png",
                "uploads/u1/a?b.png",
                "uploads/u1/a#b.png",
                "etc/passwd",
                "storage/uploads/x",
                "uploads/" + "a".repeat(256) + "/x",
                "uploads/" + "a/".repeat(509) + "x.png"); // over 1024 bytes
    }

    @ParameterizedTest
    @MethodSource("hostileKeys")
    void hostileKeysAreRejected(String key) {
        ReelvaultException e = assertThrows(ReelvaultException.class, () -> ObjectKey.parse(key));
        assertEquals(ErrorCode.INVALID_KEY, e.code());
        assertEquals(400, e.code().status());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "uploads/u1/upload_20261129_abcdefghijkl/original.png",
                "temp/job-1/processing/render_pass_1.mp4",
                "generations/gen_20261129_abcdefghijkl/clips/clip_001.mp4",
                "compositions/c/final.mp4"
            })
    void ordinaryKeysParse(String key) {
        assertEquals(key, ObjectKey.parse(key).value());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "upload_",
                "upload_20261129_short",
                "upload_20261399_abcdefghijkl",
                "upload_20261129_ABCDEFGHIJKL",
                "gen_20261129_abcdefghijkl",
                "upload_20261129_abcdefghijkl/../x",
                "../upload_20261129_abcdefghijkl",
                "upload_20261129_abcdefghijk\u0000",
                "upload_20261129_abcdefghijkl ",
                "upload_20260230_abcdefghijkl"
            })
    void hostileUploadIdsAreRejected(String id) {
        assertEquals(
                ErrorCode.INVALID_ID,
                assertThrows(ReelvaultException.class, () -> UploadId.parse(id)).code());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "a/b",
                "..",
                "a.b",
                "a b",
                "ü",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "a\0"
            })
    void hostileUserAndJobIdsAreRejected(String id) {
        assertThrows(ReelvaultException.class, () -> UserId.parse(id));
        assertThrows(ReelvaultException.class, () -> JobId.parse(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1000", "-1", "+1", "1e2", "", "01a"})
    void badClipNumbersAreRejected(String n) {
        assertThrows(ReelvaultException.class, () -> ClipNumber.parse(n));
    }

    @Test
    void generatedIdsFollowTheGrammarAndDiffer() {
        UploadId a = UploadId.generate(Clock.systemUTC());
        UploadId b = UploadId.generate(Clock.systemUTC());
        assertTrue(a.value().matches("upload_\\d{8}_[a-z0-9]{16}"), a.value());
        assertTrue(!a.equals(b));
        assertTrue(GenerationId.generate(Clock.systemUTC()).value().startsWith("gen_"));
        assertTrue(CompositionId.generate(Clock.systemUTC()).value().startsWith("comp_"));
        assertEquals("clip_007", ClipNumber.parse("7").name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"logo.exe", "logo", "logo.", "logo.png\u0000.exe", "a\nb.png", "   "})
    void badFileNamesAreRejected(String name) {
        assertThrows(ReelvaultException.class, () -> UploadFilename.parse(name));
    }

    @Test
    void fileNamesDropAnyFolderPart() {
        assertEquals("logo.png", UploadFilename.parse("C:\\Users\\me\\logo.png").value());
        assertEquals("logo.png", UploadFilename.parse("../../logo.png").value());
        assertEquals(FileType.JPEG, UploadFilename.parse("Photo.JPEG").type());
    }
}
