package io.reelvault.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What ffprobe found in a media file: its duration and its first video and first audio stream.
 *
 * @param durationSeconds the container's duration, in seconds
 * @param videoCodec the first video stream's codec (e.g. {@code h264}), null when there is none
 * @param width the first video stream's width in pixels, null when there is no video stream
 * @param height the first video stream's height in pixels, null when there is no video stream
 * @param audioCodec the first audio stream's codec (e.g. {@code aac}), null when there is none
 */
public record MediaProbe(double durationSeconds, String videoCodec, Integer width, Integer height, String audioCodec) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads ffprobe's {@code -of json} output of {@code format=duration:stream=codec_type,codec_name,width,height}.
     *
     * @throws MediaException (FAILED) when the output is not such JSON, has no finite non-negative duration, or no
     *     audio or video stream
     */
    static MediaProbe parse(byte[] ffprobeJson) {
        JsonNode root;
        try {
            root = JSON.readTree(ffprobeJson);
        } catch (IOException e) {
            throw new MediaException(MediaException.Reason.FAILED, "ffprobe printed no readable JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MediaException(MediaException.Reason.FAILED, "ffprobe printed no readable JSON");
        }
        double duration = root.path("format").path("duration").asDouble(Double.NaN);
        if (!Double.isFinite(duration) || duration < 0) {
            throw new MediaException(MediaException.Reason.FAILED, "the input has no known duration");
        }
        JsonNode video = first(root.path("streams"), "video");
        JsonNode audio = first(root.path("streams"), "audio");
        if (video == null && audio == null) {
            throw new MediaException(MediaException.Reason.FAILED, "the input has no audio or video stream");
        }
        return new MediaProbe(
                duration,
                video == null ? null : text(video, "codec_name"),
                video == null ? null : number(video, "width"),
                video == null ? null : number(video, "height"),
                audio == null ? null : text(audio, "codec_name"));
    }

    private static JsonNode first(JsonNode streams, String codecType) {
        for (JsonNode stream : streams) {
            if (codecType.equals(stream.path("codec_type").asText())) {
                return stream;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    private static Integer number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.canConvertToInt() ? null : value.asInt();
    }
}
