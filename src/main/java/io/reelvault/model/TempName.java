package io.reelvault.model;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of a processing job's temporary file: {@code intermediate_{label}.mp4},
 * {@code render_pass_{label}.mp4} or {@code {label}.tmp}, where a label is 1 to 100 characters of
 * {@code [A-Za-z0-9_-]} (so no dots, slashes or traversal). {@code .mp4} files must be MP4 by content;
 * {@code .tmp} files may hold anything.
 */
public record TempName(String value) {
    private static final Pattern SHAPE = Pattern.compile(
            "(?:intermediate_[A-Za-z0-9_-]{1,100}\\.mp4|render_pass_[A-Za-z0-9_-]{1,100}\\.mp4|[A-Za-z0-9_-]{1,100}\\.tmp)");

    public TempName {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new ReelvaultException(
                    ErrorCode.INVALID_FILENAME,
                    "a temp file name must be intermediate_{label}.mp4,"
                            + " render_pass_{label}.mp4 or {label}.tmp, with a label of 1-100 characters of [A-Za-z0-9_-]");
        }
    }

    public static TempName parse(String text) {
        return new TempName(text);
    }

    /** The type its content must have: MP4 for {@code .mp4} names, none (any bytes) for {@code .tmp}. */
    public Optional<FileType> requiredType() {
        return value.endsWith(".mp4") ? Optional.of(FileType.MP4) : Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
