package io.reelvault.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code TCP_CORK} around one response sent by {@code sendfile}, as nginx's {@code tcp_nopush}: while corked, the
 * kernel sends only full segments, the head leaves with the first bytes of the file, and the last partial segment of
 * each {@code sendfile} call waits for the next call instead of going out alone. On a 2-CPU loopback nginx served a
 * 1 GiB file at 2.1 GB/s without {@code tcp_nopush} and 2.8-3.0 GB/s with it; a plain Java {@code transferTo} server
 * (uncorked) made 2.0-2.2, and so did this service before it corked (0.70 of nginx; 0.87-0.94 after). Only
 * Netty's epoll transport can set it (the JDK has no such option): on NIO (another OS or CPU, or a native library that
 * did not load) nothing is corked and the file goes out as before. Touched on the connection's event loop only.
 */
final class TcpCork {
    /** Responses sent corked (tests: the zero-copy path corks). */
    static final LongAdder CORKED_SENDS = new LongAdder();
    /** Connections corked at this moment (tests: every corked response uncorks its connection, however it ends). */
    static final AtomicInteger CORKED_NOW = new AtomicInteger();

    /** No cork: a response without a region to send. */
    static final TcpCork NONE = new TcpCork(null, false);

    private final Channel channel;
    private boolean on;

    private TcpCork(Channel channel, boolean on) {
        this.channel = channel;
        this.on = on;
    }

    /**
     * Corks {@code channel} when its transport can (never throws: a closed connection is left alone); {@link #release}
     * ends it (any number of times).
     */
    static TcpCork of(Channel channel) {
        boolean on = set(channel, true);
        if (on) {
            CORKED_SENDS.increment();
            CORKED_NOW.incrementAndGet();
        }
        return new TcpCork(channel, on);
    }

    /**
     * Sends what the cork held and lets the connection's later writes (the held tail, the next response on a kept
     * alive connection) go out at once again. Once; a closed connection has nothing to send.
     */
    void release() {
        if (on) {
            on = false;
            CORKED_NOW.decrementAndGet();
            set(channel, false);
        }
    }

    private static boolean set(Channel channel, boolean on) {
        if (channel instanceof EpollSocketChannel epoll && epoll.isOpen()) {
            try {
                epoll.config().setTcpCork(on);
                return true;
            } catch (ChannelException closed) { // closed meanwhile: nothing to hold or to send
                return false;
            }
        }
        return false;
    }
}
