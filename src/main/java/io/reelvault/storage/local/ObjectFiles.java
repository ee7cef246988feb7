package io.reelvault.storage.local;

import io.reelvault.model.FileType;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectInfo;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * An object as a file: the regular file at its key's path (never a link or a folder), and what its attributes say
 * of it. Content type is derived from the key's extension (the filesystem keeps no per-object metadata); ETags are
 * derived from the file's identity, size and modification time, so they change on every rewrite.
 */
final class ObjectFiles {
    private ObjectFiles() {}

    /** The attributes of the object file at {@code path}; empty when there is none (or a folder or link is there). */
    static Optional<BasicFileAttributes> attributes(Path path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(a) : Optional.empty();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if ("Not a directory".equals(e.getReason())) {
                return Optional.empty(); // a folder of the key is a file: no such object
            }
            throw e;
        }
    }

    static ObjectInfo info(ObjectKey key, BasicFileAttributes attrs) {
        long mtime = attrs.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                + attrs.lastModifiedTime().toInstant().getNano();
        String etag = "\"" + Long.toHexString(mtime) + "-" + Long.toHexString(attrs.size()) + "-"
                + Integer.toHexString(Objects.hashCode(attrs.fileKey())) + "\"";
        return new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant(), etag, FileType.mediaTypeOf(key));
    }
}
