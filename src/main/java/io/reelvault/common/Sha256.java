package io.reelvault.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a string's UTF-8 bytes (or its lower-case hex), for cache keys. */
public final class Sha256 {
    private Sha256() {}

    public static String hex(String text) {
        return HexFormat.of().formatHex(bytes(text));
    }

    public static byte[] bytes(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
