package io.reelvault.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MediaProbeTest {
    static MediaProbe parse(String json) {
        return MediaProbe.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheFirstVideoAndAudioStream() {
        assertEquals(new MediaProbe(5.02, "h264", 640, 360, "aac"), parse("""
                {"streams": [{"codec_name": "aac", "codec_type": "audio"},
                             {"codec_name": "h264", "codec_type": "video", "width": 640, "height": 360},
                             {"codec_name": "opus", "codec_type": "audio"}],
                 "format": {"duration": "5.020000"}}"""));
        assertEquals(new MediaProbe(3.5, null, null, null, "mp3"), parse("""
                {"streams": [{"codec_name": "mp3", "codec_type": "audio"}], "format": {"duration": "3.5"}}"""));
    }

    @Test
    void refusesOutputWithoutDurationOrStreams() {
        for (String json : new String[] {
            "not json",
            "[]",
            "{\"streams\": [{\"codec_type\": \"audio\"}], \"format\": {}}",
            "{\"streams\": [{\"codec_type\": \"audio\"}], \"format\": {\"duration\": \"N/A\"}}",
            "{\"streams\": [{\"codec_type\": \"data\"}], \"format\": {\"duration\": \"1.0\"}}"
        }) {
            assertEquals(
                    MediaException.Reason.FAILED,
                    assertThrows(MediaException.class, () -> parse(json)).reason(),
                    json);
        }
    }
}
