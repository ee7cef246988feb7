package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
    @Test
    void parsesSingleRangesAndIgnoresTheRest() {
        assertEquals(Optional.of(ByteRange.fromTo(0, 99)), ByteRange.parseHeader("bytes=0-99"));
        assertEquals(Optional.of(ByteRange.from(100)), ByteRange.parseHeader("bytes=100-"));
        assertEquals(Optional.of(ByteRange.suffix(5)), ByteRange.parseHeader("bytes=-5"));
        for (String ignored : new String[] {
            null,
            "",
            "bytes=",
            "bytes=-",
            "bytes=5-1",
            "bytes=0-1,5-9",
            "items=0-1",
            "bytes=a-b",
            "bytes=99999999999999999999-"
        }) {
            assertEquals(Optional.empty(), ByteRange.parseHeader(ignored), String.valueOf(ignored));
        }
    }

    @Test
    void resolvesAgainstTheObjectSize() {
        assertEquals(
                Optional.of(new ResolvedRange(0, 9, 10)),
                ByteRange.fromTo(0, 100).resolve(10));
        assertEquals(
                Optional.of(new ResolvedRange(7, 9, 10)), ByteRange.suffix(3).resolve(10));
        assertEquals(
                Optional.of(new ResolvedRange(0, 9, 10)), ByteRange.suffix(30).resolve(10));
        assertEquals(Optional.empty(), ByteRange.from(10).resolve(10));
        assertEquals(Optional.empty(), ByteRange.suffix(0).resolve(10));
        assertEquals(Optional.empty(), ByteRange.fromTo(0, 0).resolve(0));
        assertEquals("bytes 7-9/10", new ResolvedRange(7, 9, 10).contentRange());
    }
}
