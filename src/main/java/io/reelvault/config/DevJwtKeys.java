package io.reelvault.config;

import io.quarkus.runtime.LaunchMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Dev and test modes only: a throwaway RSA key pair made once per JVM, offered as
 * {@code mp.jwt.verify.publickey.location} and {@code smallrye.jwt.sign.key.location} at the lowest
 * ordinal, so that the embedded-default run accepts the tokens it prints, and any real setting
 * (environment, application.properties) wins. In normal (prod) mode this source is empty: there the
 * service refuses to start without a configured key.
 */
public class DevJwtKeys implements ConfigSource {
    static final String PUBLIC_KEY = "mp.jwt.verify.publickey.location";
    static final String PRIVATE_KEY = "smallrye.jwt.sign.key.location";
    /** Shared by every class loader of the JVM (dev mode rebuilds them), so all see one key pair. */
    private static final String DIR_PROPERTY = "io.reelvault.dev-jwt-dir";

    @Override
    public Set<String> getPropertyNames() {
        return active() ? Set.of(PUBLIC_KEY, PRIVATE_KEY) : Set.of();
    }

    @Override
    public String getValue(String name) {
        if (!active() || !(PUBLIC_KEY.equals(name) || PRIVATE_KEY.equals(name))) {
            return null;
        }
        Path dir = keys();
        return dir.resolve(PUBLIC_KEY.equals(name) ? "public.pem" : "private.pem")
                .toUri()
                .toString();
    }

    /** Whether the given public-key location is this source's throwaway key. */
    static boolean isDevKey(String location) {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir != null
                && location != null
                && location.equals(Path.of(dir).resolve("public.pem").toUri().toString());
    }

    @Override
    public int getOrdinal() {
        return 50;
    }

    @Override
    public String getName() {
        return "reelvault-dev-jwt-keys";
    }

    private static boolean active() {
        LaunchMode mode = LaunchMode.current();
        return mode == LaunchMode.DEVELOPMENT || mode == LaunchMode.TEST;
    }

    private static synchronized Path keys() {
        String existing = System.getProperty(DIR_PROPERTY);
        if (existing != null) {
            return Path.of(existing);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Path dir = Files.createTempDirectory("reelvault-dev-jwt");
            write(dir.resolve("public.pem"), "PUBLIC KEY", pair.getPublic().getEncoded());
            write(dir.resolve("private.pem"), "PRIVATE KEY", pair.getPrivate().getEncoded());
            for (String f : new String[] {"public.pem", "private.pem", ""}) {
                dir.resolve(f).toFile().deleteOnExit();
            }
            System.setProperty(DIR_PROPERTY, dir.toString());
            return dir;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
        Files.writeString(file, pem);
    }
}
