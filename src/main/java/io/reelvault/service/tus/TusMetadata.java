package io.reelvault.service.tus;

import io.reelvault.error.ErrorCode;
import io.reelvault.error.ReelvaultException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed {@code Upload-Metadata} header (tus 1.0 creation): comma-separated pairs of a key and its Base64 value
 * (the value may be absent). Bounded: at most {@value #MAX_HEADER} characters, {@value #MAX_PAIRS} pairs, keys of
 * {@code [A-Za-z0-9_.-]{1,64}}, each once; values must be valid UTF-8 without control characters.
 */
public record TusMetadata(Map<String, String> values) {
    static final int MAX_HEADER = 4096;
    static final int MAX_PAIRS = 16;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    public TusMetadata {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** {@code invalid_request} when malformed; an absent header is empty metadata. */
    public static TusMetadata parse(String header) {
        Map<String, String> values = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return new TusMetadata(values);
        }
        if (header.length() > MAX_HEADER) {
            throw invalid("is longer than " + MAX_HEADER + " characters");
        }
        String[] pairs = header.split(",", -1);
        if (pairs.length > MAX_PAIRS) {
            throw invalid("has more than " + MAX_PAIRS + " pairs");
        }
        for (String pair : pairs) {
            String[] kv = pair.strip().split(" ", -1);
            if (kv.length > 2 || !KEY.matcher(kv[0]).matches()) {
                throw invalid("has a malformed pair (key, one space, Base64 value)");
            }
            String value = kv.length == 2 ? decode(kv[1]) : "";
            if (values.putIfAbsent(kv[0], value) != null) {
                throw invalid("names the key '" + kv[0] + "' twice");
            }
        }
        return new TusMetadata(values);
    }

    private static String decode(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw invalid("has a value that is not Base64");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("has a value that is not UTF-8");
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw invalid("has a value with control characters");
        }
        return text;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    /** {@code invalid_request} naming the missing key. */
    public String require(String key, TusTarget target) {
        return get(key).orElseThrow(() -> invalid("needs '" + key + "' for the target " + target.value()));
    }

    private static ReelvaultException invalid(String why) {
        return new ReelvaultException(ErrorCode.INVALID_REQUEST, "Upload-Metadata " + why);
    }
}
