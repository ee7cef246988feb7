package io.reelvault.storage.local;

import io.reelvault.model.KeyPrefix;
import io.reelvault.model.ObjectKey;
import io.reelvault.storage.ObjectInfo;
import io.smallrye.mutiny.Multi;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local backend's listings: a {@link SortedWalk} of the prefix's folder (keys in ascending order, as S3 lists),
 * read in pages of {@value #PAGE} objects, each page on the blocking executor.
 */
final class LocalListing {
    private static final int PAGE = 1000;

    private final SecurePaths paths;
    private final LocalIo io;

    LocalListing(SecurePaths paths, LocalIo io) {
        this.paths = paths;
        this.io = io;
    }

    Multi<ObjectInfo> list(KeyPrefix prefix, Optional<ObjectKey> startAfter) {
        String p = prefix.value();
        String folder = p.substring(0, p.lastIndexOf('/') + 1);
        SortedWalk walk = new SortedWalk(
                paths, folder, p, startAfter.map(ObjectKey::value).orElse(null));
        return Multi.createBy()
                .repeating()
                .uni(() -> io.blocking(() -> {
                    List<ObjectInfo> page = new ArrayList<>(PAGE);
                    SortedWalk.Entry e;
                    while (page.size() < PAGE && (e = walk.next()) != null) {
                        page.add(ObjectFiles.info(new ObjectKey(e.key()), e.attributes()));
                    }
                    return page;
                }))
                .until(List::isEmpty)
                .onItem()
                .transformToMultiAndConcatenate(page -> Multi.createFrom().iterable(page));
    }
}
