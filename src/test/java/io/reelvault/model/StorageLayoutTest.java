package io.reelvault.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelvault.model.StorageLayout.ClipKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The parse methods of {@link StorageLayout} read back exactly what its builders make, and nothing else. */
class StorageLayoutTest {
    private static final GenerationId GEN = GenerationId.parse("gen_20261129_ab12cd34ef56ab12");
    private static final CompositionId COMP = CompositionId.parse("comp_20261129_ab12cd34ef56ab12");

    @Test
    void clipKeysRoundTrip() {
        for (int n : new int[] {1, 7, 42, 999}) {
            ClipKey clip = new ClipKey(GEN, new ClipNumber(n));
            assertEquals(Optional.of(clip), StorageLayout.parseClip(StorageLayout.clip(GEN, clip.clip())));
            assertEquals(
                    Optional.of(clip), StorageLayout.parseClipThumbnail(StorageLayout.clipThumbnail(GEN, clip.clip())));
        }
    }

    @Test
    void metadataKeysRoundTrip() {
        assertEquals(Optional.of(GEN), StorageLayout.parseGenerationMetadata(StorageLayout.generationMetadata(GEN)));
        assertEquals(
                Optional.of(COMP), StorageLayout.parseCompositionMetadata(StorageLayout.compositionMetadata(COMP)));
    }

    @Test
    void keysNoBuilderMakesAreNotParsed() {
        String gen = "generations/" + GEN.value();
        for (String key : new String[] {
            gen + "/clips/clip_000.mp4",
            gen + "/clips/clip_1.mp4",
            gen + "/clips/clip_0001.mp4",
            gen + "/clips/clip_abc.mp4",
            gen + "/clips/clip_001.jpg",
            gen + "/thumbnails/clip_001.mp4",
            gen + "/audio/background.mp3",
            gen + "/metadata.json",
            gen + "/x/clips/clip_001.mp4",
            "generations/gen_bad/clips/clip_001.mp4",
            "compositions/" + COMP.value() + "/clips/clip_001.mp4",
        }) {
            ObjectKey k = ObjectKey.parse(key);
            assertEquals(Optional.empty(), StorageLayout.parseClip(k), key);
            assertEquals(Optional.empty(), StorageLayout.parseClipThumbnail(k), key);
        }
        for (String key : new String[] {
            "generations/gen_bad/metadata.json",
            "generations/" + GEN.value() + "/clips/metadata.json",
            "compositions/" + GEN.value() + "/metadata.json",
            "generations/" + GEN.value() + "/timeline.json",
        }) {
            assertEquals(Optional.empty(), StorageLayout.parseGenerationMetadata(ObjectKey.parse(key)), key);
        }
        assertEquals(
                Optional.empty(),
                StorageLayout.parseCompositionMetadata(StorageLayout.generationMetadata(GEN)),
                "a generation's metadata is not a composition's");
    }
}
