package io.reelvault.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PublicBaseUrlTest {
    @Test
    void aConfiguredPortIsKept() {
        assertEquals(
                URI.create("https://vault.example.com"),
                PublicBaseUrl.of(URI.create("https://vault.example.com"), () -> 41000)
                        .get());
        assertEquals(
                URI.create("http://localhost:8080/base"),
                PublicBaseUrl.of(URI.create("http://localhost:8080/base"), () -> 41000)
                        .get());
    }

    @Test
    void portZeroIsThePortTheServerListensOnOnceItListens() {
        AtomicInteger listening = new AtomicInteger(-1);
        Supplier<URI> base = PublicBaseUrl.of(URI.create("http://localhost:0/vault"), listening::get);
        assertEquals(URI.create("http://localhost:0/vault"), base.get(), "not listening yet");
        listening.set(41000);
        assertEquals(URI.create("http://localhost:41000/vault"), base.get());
        listening.set(41001); // a restart on another free port
        assertEquals(URI.create("http://localhost:41001/vault"), base.get());
    }
}
