package io.reelvault.media;
// TEMPORARY placeholder
public class MediaException extends RuntimeException { public MediaException(String m) { super(m); } }
