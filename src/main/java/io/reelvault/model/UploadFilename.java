package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;

/**
 * The file name a user gives an upload: shown back to them and put in download headers, never used
 * in a key. 1 to 255 characters after dropping any folder part a browser sent; no control
 * characters; its extension must name a {@link FileType}.
 */
public record UploadFilename(String value, FileType type) {

    public static UploadFilename parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid("a file name is required (?filename=... or the multipart part's filename)");
        }
        String name = text.substring(Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\')) + 1)
                .strip();
        if (name.isEmpty() || name.length() > 255) {
            throw invalid("the file name must be 1 to 255 characters");
        }
        if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029)) {
            throw invalid("the file name may not contain control characters");
        }
        FileType type = FileType.ofFileName(name)
                .filter(FileType.UPLOADABLE::contains)
                .orElseThrow(() -> new ReelvaultException(
                        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "allowed uploads are .png, .jpg/.jpeg, .gif, .mp3 and .wav files"));
        return new UploadFilename(name, type);
    }

    private static ReelvaultException invalid(String detail) {
        return new ReelvaultException(ErrorCode.INVALID_FILENAME, detail);
    }
}
