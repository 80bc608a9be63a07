package dev.c1m.pool;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * Chapter 1's {@link TcpServer} accepting through a {@link ServerSocketChannel}, so that each
 * accepted {@code Socket} has a {@code SocketChannel} behind it ({@code socket.getChannel()})
 * and a handler can read into direct buffers. Everything else (accept thread, a platform thread
 * per connection, backoff, close) is chapter 1's.
 */
public final class ChannelEchoServer {

    private ChannelEchoServer() {
    }

    /** Binds {@code address} (port 0 picks one) and serves each connection with {@code handler}. */
    public static TcpServer start(String name, InetSocketAddress address, ConnectionHandler handler)
            throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(address);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return TcpServer.start(name, listener.socket(), handler,
                TcpServer.platformThreadPerConnection(name + "-conn-"), AcceptBackoff.standard());
    }
}
