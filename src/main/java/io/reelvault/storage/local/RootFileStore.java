package io.reelvault.storage.local;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** The filesystem holding the storage root, looked up on first use and then kept (the lookup scans the mount table). */
final class RootFileStore {
    private final Path root;
    private volatile FileStore store;

    RootFileStore(Path root) {
        this.root = root;
    }

    /** Blocking (a {@code statfs} per read of its space). The root must exist. */
    FileStore get() throws IOException {
        FileStore s = store;
        if (s == null) {
            s = Files.getFileStore(root);
            store = s;
        }
        return s;
    }
}
