package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ContentDispositionTest {
    @Test
    void plainAsciiNamesAreQuoted() {
        assertEquals(
                "attachment; filename=\"video_comp_20261129_abcdefghijkl.mp4\"",
                ContentDisposition.attachment("video_comp_20261129_abcdefghijkl.mp4"));
    }

    @Test
    void hostileCharactersNeverBreakTheHeader() {
        assertEquals(
                "attachment; filename=\"a_b_.mp4\"; filename*=UTF-8''a%22b%0D.mp4",
                ContentDisposition.attachment("a\"b\r.mp4"));
        assertEquals(
                "attachment; filename=\"x_y.mp4\"; filename*=UTF-8''x%5Cy.mp4",
                ContentDisposition.attachment("x\\y.mp4"));
    }

    @Test
    void unicodeNamesGetAnRfc8187Form() {
        assertEquals(
                "attachment; filename=\"caf_ vid_o.mp4\"; filename*=UTF-8''caf%C3%A9%20vid%C3%A9o.mp4",
                ContentDisposition.attachment("café vidéo.mp4"));
    }
}
