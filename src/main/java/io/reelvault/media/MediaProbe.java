package io.reelvault.media;
// TEMPORARY placeholder
public record MediaProbe(double durationSeconds, String videoCodec, Integer width, Integer height, String audioCodec) {}
