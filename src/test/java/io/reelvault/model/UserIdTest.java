package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written user id check answers as the former pattern did. */
class UserIdTest {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @Test
    void validAsThePatternWas() {
        List<String> cases = new ArrayList<>(
                List.of("", "a", "A-z_09", "a".repeat(64), "a".repeat(65), "a b", "a.b", "é", "a\n", "-", "_", "Zz9"));
        Random random = new Random(14);
        String alphabet = "azAZ09_-.:/ é\u0000{}@";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(70);
            for (int j = 0; j < n; j++) {
                sb.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length())) : 'k');
            }
            cases.add(sb.toString());
        }
        for (String text : cases) {
            assertEquals(SHAPE.matcher(text).matches(), UserId.valid(text), text);
        }
        assertEquals(false, UserId.valid(null));
    }
}
