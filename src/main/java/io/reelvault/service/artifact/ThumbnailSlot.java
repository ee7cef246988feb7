package io.reelvault.service.artifact;

/** How a document records the outcome of one thumbnail's extraction (a clip's in a generation, a composition's own). */
@FunctionalInterface
public interface ThumbnailSlot<T> {
    /** {@code document} with the thumbnail in {@code state}; {@code error} says why it failed, else null. */
    T record(T document, ThumbnailState state, String error);
}
