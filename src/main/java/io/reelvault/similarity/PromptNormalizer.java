package io.reelvault.similarity;

import io.reelvault.common.Sha256;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The normal form of a prompt, in which two prompts that differ only in case, spacing,
 * punctuation or Unicode presentation are equal: the key of an exact reuse, and the text the
 * {@link PromptEmbedder} reads. In order:
 * <ol>
 * <li>Unicode NFKC, so that look-alikes become one character: full-width {@code ＡＢＣ} and
 *     {@code ４ｋ}, ligatures ({@code ﬁ}), superscripts, the no-break space, composed and
 *     decomposed accents;
 * <li>punctuation (every category {@code P*}) and the math and modifier symbols ({@code Sm},
 *     {@code Sk}: {@code + = | ~ < > ^ `}, often used as separators in prompts) become a space;
 *     apostrophes ({@code ' ’ ʼ}) are removed instead, so {@code don't} and {@code dont} are one
 *     word; currency and other symbols ({@code Sc}, {@code So}: {@code $ ° ©}, emoji) are kept,
 *     because an emoji can be the subject of a prompt; format characters ({@code Cf}: zero-width
 *     spaces and joiners, soft hyphens) are removed; control characters count as whitespace;
 * <li>whitespace collapsed to one space, trimmed;
 * <li>case folded: upper-cased then lower-cased in {@link Locale#ROOT}, which approximates Unicode
 *     full case folding ({@code ß} upper-cases to {@code SS}; the capital {@code ẞ} lower-cases
 *     to {@code ß}, which is then spelled {@code ss}, so {@code Straße}, {@code STRASSE} and
 *     {@code STRAẞE} are one word; folding after the punctuation step keeps Greek final sigma
 *     consistent), then NFKC again, since folding can leave a sequence that is no longer
 *     normalised.
 * </ol>
 * Letters, digits and combining marks are otherwise kept: {@code café} and {@code cafe} stay
 * different words.
 */
public final class PromptNormalizer {
    /** Prefix of every exact key; bumped with any change of the normal form. */
    public static final String VERSION = "pn1";

    private PromptNormalizer() {}

    /** The normal form of {@code prompt}; empty if it holds nothing but punctuation and space. */
    public static String normalize(String prompt) {
        String compatible = Normalizer.normalize(prompt, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(compatible.length());
        boolean space = false;
        for (int i = 0; i < compatible.length(); ) {
            int cp = compatible.codePointAt(i);
            i += Character.charCount(cp);
            if (isApostrophe(cp) || Character.getType(cp) == Character.FORMAT) {
                continue;
            }
            if (isSeparator(cp)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            out.appendCodePoint(cp);
        }
        String folded =
                out.toString().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT).replace("ß", "ss");
        return Normalizer.normalize(folded, Normalizer.Form.NFKC);
    }

    /**
     * The key of an exact reuse: {@value #VERSION}{@code :} and the hex SHA-256 of the UTF-8 of
     * {@link #normalize(String) normalize(prompt)}.
     */
    public static String exactKey(String prompt) {
        return VERSION + ":" + Sha256.hex(normalize(prompt));
    }

    private static boolean isApostrophe(int cp) {
        return cp == '\'' || cp == '\u2019' || cp == '\u02BC';
    }

    private static boolean isSeparator(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
            case Character.MATH_SYMBOL:
            case Character.MODIFIER_SYMBOL:
            case Character.CONTROL:
            case Character.SPACE_SEPARATOR:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return true;
            default:
                return Character.isWhitespace(cp);
        }
    }
}
