package io.reelvault.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The content types the service knows: canonical extension, accepted extensions, canonical
 * media type and accepted aliases. Content is checked against the magic bytes in
 * {@code media.ContentSniffer}.
 */
public enum FileType {
    PNG("png", List.of("png"), "image/png", Set.of()),
    JPEG("jpg", List.of("jpg", "jpeg"), "image/jpeg", Set.of("image/pjpeg")),
    GIF("gif", List.of("gif"), "image/gif", Set.of()),
    MP3("mp3", List.of("mp3"), "audio/mpeg", Set.of("audio/mp3")),
    WAV("wav", List.of("wav"), "audio/wav", Set.of("audio/x-wav", "audio/wave", "audio/vnd.wave")),
    MP4("mp4", List.of("mp4"), "video/mp4", Set.of());

    /** What users may upload as brand assets. */
    public static final Set<FileType> UPLOADABLE = Set.of(PNG, JPEG, GIF, MP3, WAV);

    private final String extension;
    private final List<String> extensions;
    private final String mediaType;
    private final Set<String> aliases;

    FileType(String extension, List<String> extensions, String mediaType, Set<String> aliases) {
        this.extension = extension;
        this.extensions = extensions;
        this.mediaType = mediaType;
        this.aliases = aliases;
    }

    /** The canonical extension used in stored keys, without the dot. */
    public String extension() {
        return extension;
    }

    /** The canonical media type, e.g. {@code image/png}. */
    public String mediaType() {
        return mediaType;
    }

    /** Whether a declared Content-Type (parameters and case ignored) names this type. */
    public boolean acceptsMediaType(String declared) {
        if (declared == null) {
            return false;
        }
        String bare = declared.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return bare.equals(mediaType) || aliases.contains(bare);
    }

    /** The type whose accepted extensions include the file name's extension (case-insensitive). */
    public static Optional<FileType> ofFileName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return Optional.empty();
        }
        String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.extensions.contains(ext)).findFirst();
    }

    /** The type of a stored key, by its canonical extension; octet-stream types are empty. */
    public static Optional<FileType> ofKey(ObjectKey key) {
        return ofFileName(key.fileName());
    }

    /** The media type a key's extension implies: a known type, JSON, or {@code application/octet-stream}. */
    public static String mediaTypeOf(ObjectKey key) {
        if (key.fileName().endsWith(".json")) {
            return "application/json";
        }
        return ofKey(key).map(FileType::mediaType).orElse("application/octet-stream");
    }
}
