package io.reelvault.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests (the one on the PATH), on a free port of 127.0.0.1, without persistence
 * ({@code --save '' --appendonly no}). {@link #stop()} and {@link #start()} again keep the port (fault tests),
 * {@link #pause()}/{@link #resume()} freeze it (SIGSTOP: connections stay open, nothing answers). The process
 * is killed by {@link #close()}, and by a shutdown hook if the test JVM ends first (a Quarkus that fails to
 * boot never calls a test resource's stop).
 */
public final class RedisServer implements AutoCloseable {
    /** Found on the PATH when first used: a missing redis-server fails the tests that need it, saying what to install. */
    public static final String EXECUTABLE = "redis-server";

    private final String password;
    private final Path dir;
    private final Thread hook = new Thread(this::kill, "redis-server-killer");
    private int port;
    private Process process;

    private RedisServer(String password) throws IOException {
        this.password = password;
        this.dir = Files.createDirectories(Path.of("target")).resolve("redis-" + System.nanoTime());
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts a server on a free port. */
    public static RedisServer launch(String password) {
        try {
            RedisServer server = new RedisServer(password);
            for (int attempt = 1; ; attempt++) {
                server.port = freePort();
                try {
                    return server.start();
                } catch (IllegalStateException e) {
                    if (attempt == 5) { // another test took the port between probe and bind
                        server.close();
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server without a password on a free port. */
    public static RedisServer launch() {
        return launch(null);
    }

    /** (Re)starts the server on its port and waits until it answers PING; a stopped server comes back empty. */
    public synchronized RedisServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        List<String> command = new ArrayList<>(List.of(
                Tools.onPath(EXECUTABLE, "Debian's 'redis-server' package").toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toAbsolutePath().toString()));
        if (password != null) {
            command.addAll(List.of("--requirepass", password));
        }
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + EXECUTABLE, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException(
                        "redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
            }
            sleep(10);
        }
        return this;
    }

    /** Stops the server (SIGTERM, then SIGKILL); its data is gone. */
    public synchronized void stop() {
        resume();
        kill();
    }

    /** Freezes the process: it keeps its connections and port but answers nothing until {@link #resume()}. */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** Lets a paused process run again. */
    public synchronized void resume() {
        signal("-CONT");
    }

    public int port() {
        return port;
    }

    /** {@code redis://[:password@]127.0.0.1:{port}/0}. */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
    }

    /** Sends one inline command and returns the first reply line ({@code +OK}, {@code $-1}, {@code :1}...). */
    public String command(String... words) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (password != null) {
                out.write(("AUTH " + password + "\r\n").getBytes(StandardCharsets.UTF_8));
                readLine(in);
            }
            out.write((String.join(" ", words) + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = readLine(in);
            if (line.startsWith("$") && !line.equals("$-1")) {
                return readLine(in); // a bulk string: its value
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook kills it
        }
    }

    private boolean answersPing() {
        try {
            String reply = command("PING");
            return reply.equals("+PONG");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void kill() {
        if (process == null) {
            return;
        }
        signal("-CONT");
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1 && line.length() == 0) {
            throw new IOException("connection closed");
        }
        return line.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
