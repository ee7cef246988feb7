package io.reelvault.storage.local;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys of local signed URLs: the current one signs (its id goes into each URL as {@code X-Key-Id}), every one
 * verifies, so that a key can be rotated while URLs it signed are still valid. Built from {@code REELVAULT_SIGNING_KEY},
 * {@code REELVAULT_SIGNING_KEY_ID}, {@code REELVAULT_SIGNING_KEYS_PREVIOUS} and {@code REELVAULT_SIGNING_KEY_EPHEMERAL};
 * errors name the variable, never a secret.
 *
 * @param secrets id to secret (at least 32 bytes each), the current one among them
 */
record SigningKeys(String currentId, Map<String, byte[]> secrets) {
    static final String DEFAULT_ID = "1";
    static final int MIN_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    SigningKeys {
        secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
        if (!secrets.containsKey(currentId)) {
            throw new IllegalArgumentException("the current key is one of the keys");
        }
        secrets.values().forEach(s -> {
            if (s.length < MIN_BYTES) {
                throw new IllegalArgumentException("a signing key must be at least " + MIN_BYTES + " bytes");
            }
        });
    }

    /** One key with the default id. */
    static SigningKeys single(byte[] secret) {
        return new SigningKeys(DEFAULT_ID, Map.of(DEFAULT_ID, secret));
    }

    /**
     * @param key       {@code REELVAULT_SIGNING_KEY}
     * @param keyId     {@code REELVAULT_SIGNING_KEY_ID}
     * @param previous  {@code REELVAULT_SIGNING_KEYS_PREVIOUS}: {@code id:secret} pairs separated by commas, for
     *                  verification only
     * @param ephemeral {@code REELVAULT_SIGNING_KEY_EPHEMERAL}: without a key, make a random one instead of refusing
     * @return the keys; a random one under a random id when there is no key and {@code ephemeral} allows it
     * @throws IllegalStateException naming the variable at fault
     */
    static SigningKeys fromSettings(Optional<String> key, String keyId, Optional<String> previous, boolean ephemeral) {
        if (key.isEmpty()) {
            if (!ephemeral) {
                throw new IllegalStateException(
                        "REELVAULT_SIGNING_KEY is not set: the local backend signs its URLs with it,"
                                + " and every replica must share it (a random key per process breaks every URL another replica or an"
                                + " earlier start signed). Set it (at least 32 bytes, e.g. openssl rand -base64 48), or set"
                                + " REELVAULT_SIGNING_KEY_EPHEMERAL=true for a throwaway key on a single instance");
            }
            if (previous.isPresent()) {
                throw new IllegalStateException("REELVAULT_SIGNING_KEYS_PREVIOUS is set without REELVAULT_SIGNING_KEY");
            }
            byte[] random = new byte[MIN_BYTES];
            SecureRandom rng = new SecureRandom();
            rng.nextBytes(random);
            byte[] idBytes = new byte[4];
            rng.nextBytes(idBytes);
            String id = "ephemeral-" + HexFormat.of().formatHex(idBytes);
            return new SigningKeys(id, Map.of(id, random));
        }
        if (!ID.matcher(keyId).matches()) {
            throw new IllegalStateException("REELVAULT_SIGNING_KEY_ID must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        byte[] current = key.get().getBytes(StandardCharsets.UTF_8);
        if (current.length < MIN_BYTES) {
            throw new IllegalStateException("REELVAULT_SIGNING_KEY must be at least 32 bytes");
        }
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put(keyId, current);
        if (previous.isPresent()) {
            int n = 0;
            for (String entry : previous.get().split(",", -1)) {
                n++;
                String trimmed = entry.trim();
                int colon = trimmed.indexOf(':');
                String where = "REELVAULT_SIGNING_KEYS_PREVIOUS, entry " + n + ": ";
                if (colon < 0) {
                    throw new IllegalStateException(where + "not id:secret");
                }
                String id = trimmed.substring(0, colon);
                byte[] secret = trimmed.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
                if (!ID.matcher(id).matches()) {
                    throw new IllegalStateException(where + "the id must be 1 to 64 of A-Z a-z 0-9 . _ -");
                }
                if (secret.length < MIN_BYTES) {
                    throw new IllegalStateException(where + "the key must be at least 32 bytes");
                }
                if (secrets.putIfAbsent(id, secret) != null) {
                    throw new IllegalStateException(where + "the id " + id + " is already "
                            + (id.equals(keyId) ? "REELVAULT_SIGNING_KEY_ID's" : "taken"));
                }
            }
        }
        return new SigningKeys(keyId, secrets);
    }

    @Override
    public String toString() {
        return "SigningKeys[current=" + currentId + ", ids=" + secrets.keySet() + "]"; // never the secrets
    }
}
