package io.reelvault.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromptNormalizerTest {

    private static void same(String expected, String prompt) {
        assertEquals(expected, PromptNormalizer.normalize(prompt), prompt);
    }

    @Test
    void caseWhitespaceAndPunctuationDisappear() {
        same(
                "a red fox running through snowy forest at dawn cinematic 4k",
                "  A Red Fox running through snowy forest, at DAWN!!  —  cinematic; 4K. ");
        same("a red fox", "a\tred\n\nfox");
        same("cat dog", "cat|dog");
        same("cat dog", "(cat) + [dog]");
        same("snow covered hills", "snow-covered hills");
        same("a b", "a_b");
    }

    @Test
    void unicodeLookAlikesBecomeOneText() {
        same("a red fox 4k", "Ａ ｒｅｄ ｆｏｘ ４Ｋ");
        same("fine film", "\uFB01ne \uFB01lm");
        same("café", "cafe\u0301");
        same("a red fox", "a\u00A0red\u3000fox");
        same("a red fox", "a re\u200Bd fox\u00AD");
        same("strasse", "Straße");
        same("strasse", "STRAẞE");
        same("x2", "x²");
    }

    @Test
    void apostrophesJoinTheWordInsteadOfSplittingIt() {
        same("dont stop", "don't stop");
        same("dont stop", "don’t stop");
        same("a dogs life", "‘a dog’s life’");
    }

    @Test
    void symbolsThatCanCarryMeaningAreKept() {
        same("a 🐱 on a sofa", "a 🐱 on a sofa!");
        assertNotEquals(PromptNormalizer.normalize("a 🐱 on a sofa"), PromptNormalizer.normalize("a 🐶 on a sofa"));
        same("30° tilt $5", "30° tilt, $5");
        same("café", "CAFÉ");
        assertNotEquals(PromptNormalizer.normalize("café"), PromptNormalizer.normalize("cafe"));
    }

    @Test
    void greekFinalSigmaFoldsTheSameWayWhateverFollowsIt() {
        assertEquals(PromptNormalizer.normalize("ΟΔΟΣ, ΚΑΛΟΣ"), PromptNormalizer.normalize("οδοσ καλοσ"));
    }

    @Test
    void nothingButPunctuationIsEmpty() {
        same("", " ,.!? — ");
    }

    @Test
    void theExactKeyIsAVersionedHashOfTheNormalForm() {
        String key = PromptNormalizer.exactKey("A red fox, running!");
        assertTrue(key.matches("pn1:[0-9a-f]{64}"), key);
        assertEquals(key, PromptNormalizer.exactKey("a RED fox running"));
        assertNotEquals(key, PromptNormalizer.exactKey("a red fox walking"));
    }
}
