package dev.c1m.echo;

import java.io.IOException;
import java.net.Socket;

/**
 * Serves one accepted connection from start to end, on the thread the server gives it.
 *
 * <p>The handler owns the socket's streams while it runs; the server closes the socket after
 * {@link #handle} returns or throws, so handlers need no {@code finally} of their own. An
 * {@link IOException} means this connection failed (a reset, a timeout, bad input) and is logged
 * by the server; it never affects other connections.
 */
@FunctionalInterface
public interface ConnectionHandler {

    void handle(Socket socket) throws IOException;
}
