package io.reelvault.media;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a tool's diagnostic output (ffmpeg's stderr) safe to store and log. ffmpeg echoes its input, and the
 * input is a signed URL, which is a secret: every occurrence of the source (and of its query string) becomes
 * {@code <input>}, of the output path {@code <output>}, and the value of any signature, credential or
 * session-token query parameter {@code <redacted>} wherever it appears. Line breaks become {@code " | "},
 * other control and format characters spaces, and the text keeps at most its last {@link #MAX_CHARS}
 * characters.
 */
final class Redactor {
    /** The longest text {@link #clean} returns, in characters. */
    static final int MAX_CHARS = 2048;

    private static final Pattern SIGNED_PARAMETER =
            Pattern.compile("(?i)((?:X-Amz-|X-)?(?:Signature|Credential|Security-Token)=)[^&\\s\"'<>]*");
    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n]+");
    private static final Pattern OTHER_CONTROLS = Pattern.compile("[\\p{Cc}\\p{Cf}]");

    private final List<String[]> secrets = new ArrayList<>();

    /**
     * @param source the task's input (URL or path); must hold no line break, so that an occurrence cut by a
     *     truncated stream can only stand on the dropped first line
     * @param output the task's output file, or null
     */
    Redactor(String source, Path output) {
        secrets.add(new String[] {source, "<input>"});
        int query = source.indexOf('?');
        if (query >= 0 && query < source.length() - 1) {
            secrets.add(new String[] {source.substring(query + 1), "<query>"});
        }
        if (output != null) {
            secrets.add(new String[] {output.toString(), "<output>"});
        }
    }

    /** How many trailing bytes of a stream to keep for {@link #clean}: enough for {@link #MAX_CHARS} after redaction. */
    int rawBytesToKeep() {
        int longest = secrets.stream()
                .mapToInt(s -> s[0].getBytes(StandardCharsets.UTF_8).length)
                .max()
                .orElse(0);
        return 4 * MAX_CHARS + longest;
    }

    /**
     * The safe form of {@code raw} (UTF-8).
     *
     * @param truncated whether {@code raw} is only the tail of the stream: its first, partial line is dropped,
     *     since a secret cut at its start could no longer be recognised
     */
    String clean(byte[] raw, boolean truncated) {
        String text = new String(raw, StandardCharsets.UTF_8);
        if (truncated) {
            Matcher lineBreak = LINE_BREAKS.matcher(text);
            text = lineBreak.find() ? text.substring(lineBreak.end()) : "";
        }
        for (String[] secret : secrets) {
            text = text.replace(secret[0], secret[1]);
        }
        text = SIGNED_PARAMETER.matcher(text).replaceAll("$1<redacted>");
        text = LINE_BREAKS.matcher(text.strip()).replaceAll(" | ");
        text = OTHER_CONTROLS.matcher(text).replaceAll(" ").strip();
        return text.length() <= MAX_CHARS ? text : text.substring(text.length() - MAX_CHARS);
    }
}
