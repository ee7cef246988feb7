package io.reelvault.redis;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script sent by its SHA-1 ({@code EVALSHA}): a call carries 40 bytes instead of the script's text, and Redis
 * neither parses nor hashes the text again. {@link RedisCalls#eval} falls back to {@code EVAL} (which also caches
 * the script) when Redis answers {@code NOSCRIPT}, as after a restart or a {@code SCRIPT FLUSH}.
 *
 * @param body the script's text
 * @param sha1 its lower-case hex SHA-1, the name Redis caches it under
 */
record LuaScript(String body, String sha1) {
    /**
     * KEYS[1] deleted only if it holds ARGV[1] (the holder's token); answers 1 when deleted, else 0. Gives back the
     * cluster locks, the document leases and the similar cache's single-flight claims: a late release never frees
     * another holder's key.
     */
    static final LuaScript COMPARE_AND_DELETE =
            of("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end");

    static LuaScript of(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(body, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-1", e);
        }
    }

    /** {@code EVALSHA sha1 numkeys keys... args...}, or with {@code byText} {@code EVAL body numkeys ...}. */
    Request request(boolean byText, List<String> keys, List<?> args) {
        Request request = byText
                ? Request.cmd(Command.EVAL).arg(body)
                : Request.cmd(Command.EVALSHA).arg(sha1);
        request.arg(keys.size());
        for (String key : keys) {
            request.arg(key);
        }
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(bytes);
            } else if (arg instanceof Long number) {
                request.arg(number);
            } else if (arg instanceof Integer number) {
                request.arg(number);
            } else {
                request.arg(String.valueOf(arg));
            }
        }
        return request;
    }

    /** Whether {@code failure} is Redis' answer that it does not hold the script. */
    static boolean isNoScript(Throwable failure) {
        String message = failure.getMessage();
        return message != null && message.startsWith("NOSCRIPT");
    }
}
