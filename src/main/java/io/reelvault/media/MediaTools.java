package io.reelvault.media;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;

// TEMPORARY placeholder until the media helper's work is merged (not committed)
@ApplicationScoped
public class MediaTools {
    public boolean available() { return false; }
    public Uni<byte[]> thumbnail(String source, int width) { return Uni.createFrom().failure(new MediaException("off")); }
    public Uni<MediaProbe> probe(String source) { return Uni.createFrom().failure(new MediaException("off")); }
    public Uni<Path> compress(String source) { return Uni.createFrom().failure(new MediaException("off")); }
}
