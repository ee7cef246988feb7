package io.reelvault.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free port of 127.0.0.1 that forwards every connection to {@code target} and injects faults
 * between the service and a dependency (Redis here): {@link #pass()} forwards bytes both ways, {@link #freeze()}
 * stops forwarding them in either direction while every connection stays open (a dependency that hangs: no
 * error, no answer; new connections are accepted and hang the same way), {@link #resetAll()} cuts every open
 * connection with a TCP reset. A connection the target refuses is closed at once, as the target would.
 *
 * <p>One thread per direction of each connection (a handful of connections in a test); all are daemons and end
 * with their connection or {@link #close()}.
 */
public final class TcpFaultProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean closed;

    private TcpFaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts forwarding (mode pass) from a free loopback port to {@code 127.0.0.1:targetPort}. */
    public static TcpFaultProxy to(int targetPort) {
        try {
            return new TcpFaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Forwards bytes again (whatever was read while frozen is delivered now). */
    public void pass() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** Stops forwarding in both directions; connections stay open and new ones are accepted. */
    public void freeze() {
        frozen = true;
    }

    /** Cuts every open connection, both sides, with a reset (SO_LINGER 0). New connections are accepted. */
    public void resetAll() {
        for (Socket socket : sockets) {
            abort(socket);
        }
    }

    /** Connections open now (each counts its two sides). */
    public int openSockets() {
        return sockets.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        pass();
        resetAll();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2_000);
            } catch (IOException refused) {
                abort(client);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buffer)) != -1; ) {
                            awaitPass();
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // reset, closed, or the other side went away
                    } finally {
                        abort(from);
                        abort(to);
                    }
                },
                "fault-proxy-" + direction + "-" + port());
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitPass() throws InterruptedException {
        synchronized (gate) {
            while (frozen && !closed) {
                gate.wait();
            }
        }
    }

    private void abort(Socket socket) {
        sockets.remove(socket);
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
