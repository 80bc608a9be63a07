package dev.c1m.echo;

import java.io.IOException;
import java.net.Socket;

/**
 * Raw echo: every byte received is sent back, with no framing at all. Java's counterpart of
 * Go's {@code io.Copy(conn, conn)}.
 *
 * <p>{@link java.io.InputStream#transferTo} copies through one buffer until EOF, so this handler
 * has no notion of a message: it cannot limit what a peer sends, answer per request, or say why
 * it disconnects. That is what the line protocol of {@link LineEchoHandler} adds. Stateless.
 */
public final class RawEchoHandler implements ConnectionHandler {

    @Override
    public void handle(Socket socket) throws IOException {
        socket.getInputStream().transferTo(socket.getOutputStream());
    }
}
