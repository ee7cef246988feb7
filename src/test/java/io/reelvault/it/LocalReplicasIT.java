package io.reelvault.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Three replicas on one local storage root (as on a shared volume), no Redis: the conditional writes' lock files under
 * {@code {root}/.locks/keys/} are what keeps the processes' updates of one document apart.
 */
class LocalReplicasIT extends ReplicasContract {
    Path root;

    @Override
    Map<String, String> startStorage(Path dir) throws Exception {
        root = Files.createTempDirectory(dir, "shared-root-");
        return Map.of(
                "reelvault.storage.use-local",
                "true",
                "reelvault.storage.local.path",
                root.toString(),
                "reelvault.storage.local.signing-key",
                "replicas-it-signing-key-0123456789abcdef");
    }

    @Override
    void stopStorage() {
        // the root stays under target/ for a look after a failure
    }

    @Override
    byte[] object(String key) throws Exception {
        return Files.readAllBytes(root.resolve(key));
    }

    @Override
    boolean exists(String key) {
        return Files.exists(root.resolve(key));
    }
}
