package io.reelvault.support.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the test pages of {@code src/test/resources/browser/} (from the classpath) on a free loopback port: the
 * origin a page runs in. Only GET of a plain file name ({@code lab.html}, {@code lab.js}); anything else is 404. Two
 * of them are the allowed and the other origin of {@link PageOrigins}.
 */
public final class PageServer implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "map", "application/json");

    private final HttpServer server;
    private final ExecutorService threads;

    private PageServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** A server on a free port of 127.0.0.1, reached by the browser as {@code http://localhost:PORT}. */
    public static PageServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "test-page-server");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(threads);
            server.createContext("/", PageServer::serve);
            server.start();
            return new PageServer(server, threads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://localhost:PORT}, as a browser sends it in {@code Origin}. */
    public String origin() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    /** The URL of a page, e.g. {@code lab.html}. */
    public String url(String page) {
        return origin() + "/" + page;
    }

    /**
     * Also serves the files under {@code dir} at {@code /prefix/...} (e.g. a client library installed from npm into
     * {@code target/}): GET only, known file types only, never a path outside {@code dir}.
     */
    public void serveDirectory(String prefix, Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        server.createContext("/" + prefix + "/", exchange -> {
            try (exchange) {
                String rest = exchange.getRequestURI().getPath().substring(prefix.length() + 2);
                Path file = root.resolve(rest).normalize();
                String name =
                        file.getFileName() == null ? "" : file.getFileName().toString();
                String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
                if (!"GET".equals(exchange.getRequestMethod())
                        || type == null
                        || !file.startsWith(root)
                        || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.sendResponseHeaders(200, Files.size(file));
                Files.copy(file, exchange.getResponseBody());
            }
        });
    }

    private static void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String name = exchange.getRequestURI().getPath().substring(1);
            int dot = name.lastIndexOf('.');
            String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
            InputStream file =
                    !"GET".equals(exchange.getRequestMethod()) || type == null || !name.matches("[a-z0-9-]+\\.[a-z]+")
                            ? null
                            : PageServer.class.getResourceAsStream("/browser/" + name);
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            try (file) {
                byte[] body = file.readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
