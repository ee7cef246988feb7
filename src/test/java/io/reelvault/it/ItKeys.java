package io.reelvault.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/** A key pair for the packaged application under test, and RS256 tokens signed by hand with it. */
final class ItKeys {
    static final String ISSUER = "reelvault-it";
    /** The packaged application's {@code MP_JWT_VERIFY_AUDIENCES} in these tests. */
    static final String AUDIENCE = "reelvault-it-api";

    private static KeyPair pair;
    private static Path publicKey;

    private ItKeys() {}

    static synchronized Path publicKeyFile() {
        if (publicKey == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                pair = g.generateKeyPair();
                Path dir = Files.createDirectories(Path.of("target/it-keys"));
                publicKey = dir.resolve("public.pem").toAbsolutePath();
                Files.writeString(
                        publicKey,
                        "-----BEGIN PUBLIC KEY-----\n"
                                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                        .encodeToString(pair.getPublic().getEncoded())
                                + "\n-----END PUBLIC KEY-----\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return publicKey;
    }

    static String token(String sub) {
        return token(sub, AUDIENCE, "\"user\"");
    }

    /** A token of the pipeline (groups {@code user} and {@code pipeline}). */
    static String pipelineToken(String sub) {
        return token(sub, AUDIENCE, "\"user\",\"pipeline\"");
    }

    /** A token of the tests' issuer and key for the given audience ({@code aud}), none when null. */
    static String token(String sub, String audience) {
        return token(sub, audience, "\"user\"");
    }

    private static String token(String sub, String audience, String groups) {
        publicKeyFile();
        long now = Instant.now().getEpochSecond();
        String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        String aud = audience == null ? "" : "\"aud\":\"" + audience + "\",";
        String payload = b64("{\"iss\":\"" + ISSUER + "\"," + aud + "\"sub\":\"" + sub + "\",\"groups\":[" + groups
                + "],\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(pair.getPrivate());
            rs256.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "."
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(rs256.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
