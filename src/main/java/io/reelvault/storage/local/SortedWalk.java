package io.reelvault.storage.local;

import io.reelvault.model.Area;
import io.reelvault.model.ObjectKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A lazy depth-first walk that yields the files under a folder in ascending key order (the order
 * S3 lists in): each folder's entries are sorted with folders compared as {@code name/}, so the
 * walk visits keys in global lexicographic order. Subtrees outside the prefix or entirely at or
 * before {@code startAfter} are skipped without being read. Hidden entries (the temp folder) and
 * names that are not valid key segments are never listed. Not thread-safe; blocking.
 */
final class SortedWalk {
    record Entry(String key, BasicFileAttributes attributes) {}

    private record Node(String key, Path path, BasicFileAttributes attributes) {
        boolean folder() {
            return attributes.isDirectory();
        }

        String sortKey() {
            return folder() ? key + "/" : key;
        }
    }

    private final String prefix;
    private final String startAfter;
    private final Deque<Iterator<Node>> stack = new ArrayDeque<>();
    private final Path folder;
    private final String folderKey;
    private boolean started;

    /**
     * @param folder     the prefix's folder part ({@code ""} or ending with {@code /})
     * @param prefix     keys must start with this
     * @param startAfter only keys strictly greater; null for all
     */
    SortedWalk(SecurePaths paths, String folder, String prefix, String startAfter) {
        this.folder = paths.under(folder);
        this.folderKey = folder;
        this.prefix = prefix;
        this.startAfter = startAfter;
    }

    /** The next file, or null when the walk is done. */
    Entry next() throws IOException {
        if (!started) {
            started = true;
            if (Files.isDirectory(folder)) {
                stack.push(children(folder, folderKey));
            }
        }
        while (!stack.isEmpty()) {
            Iterator<Node> it = stack.peek();
            if (!it.hasNext()) {
                stack.pop();
                continue;
            }
            Node n = it.next();
            if (n.folder()) {
                String d = n.key() + "/";
                boolean inPrefix = d.startsWith(prefix) || prefix.startsWith(d);
                boolean allBefore = startAfter != null && !startAfter.startsWith(d) && d.compareTo(startAfter) < 0;
                if (inPrefix && !allBefore) {
                    stack.push(children(n.path(), d));
                }
            } else if (n.attributes().isRegularFile()
                    && n.key().startsWith(prefix)
                    && (startAfter == null || n.key().compareTo(startAfter) > 0)
                    && ObjectKey.isValid(n.key())) {
                return new Entry(n.key(), n.attributes());
            }
        }
        return null;
    }

    private Iterator<Node> children(Path dir, String dirKey) throws IOException {
        List<Node> nodes = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")
                        || dirKey.isEmpty() && Area.ofSegment(name).isEmpty()) {
                    continue;
                }
                Optional<BasicFileAttributes> attrs = readAttributes(p);
                attrs.ifPresent(a -> nodes.add(new Node(dirKey + name, p, a)));
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return nodes.iterator(); // the folder was deleted (emptied and pruned) since its parent was read
        }
        nodes.sort(Comparator.comparing(Node::sortKey));
        return nodes.iterator();
    }

    private static Optional<BasicFileAttributes> readAttributes(Path p) throws IOException {
        try {
            return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted while listing
        }
    }
}
