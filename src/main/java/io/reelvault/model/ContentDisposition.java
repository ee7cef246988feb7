package io.reelvault.model;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Disposition} values built per RFC 6266: an ASCII {@code filename} fallback (quoted,
 * with quotes, back-slashes, control and non-ASCII characters replaced) and, when the name is not
 * plain ASCII, the exact name as {@code filename*=UTF-8''...} (RFC 8187 percent-encoding). Never
 * built by concatenating a raw key or user text.
 */
public final class ContentDisposition {
    private ContentDisposition() {}

    /** {@code attachment; filename="..."[; filename*=UTF-8''...]} for a download named {@code filename}. */
    public static String attachment(String filename) {
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < filename.length(); ) {
            int cp = filename.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x20 || cp == 0x7f || cp == '"' || cp == '\\' || cp > 0x7e) {
                ascii.append('_');
                plain = false;
            } else {
                ascii.append((char) cp);
            }
        }
        String value = "attachment; filename=\"" + ascii + "\"";
        return plain ? value : value + "; filename*=UTF-8''" + encode(filename);
    }

    private static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean attrChar = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0;
            if (attrChar) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
