package dev.c1m.echo;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The {@link EchoProtocol}: answers each line with {@code echo: <line>}.
 *
 * <p>Replies are buffered and flushed once every line already received has been answered, so
 * a peer that sends many lines in one packet gets its replies in few packets, while a peer that
 * sends one line and waits is never left waiting on an unflushed buffer. On an over-long line it
 * sends {@link EchoProtocol#LINE_TOO_LONG} and ends the connection with a {@link LingeringClose}
 * so that the error line reaches the peer even if it is still sending.
 *
 * <p>Stateless: one instance serves all connections; each call runs on its connection's thread.
 */
public final class LineEchoHandler implements ConnectionHandler {

    private final int maxLineBytes;

    public LineEchoHandler() {
        this(EchoProtocol.DEFAULT_MAX_LINE_BYTES);
    }

    public LineEchoHandler(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void handle(Socket socket) throws IOException {
        LineReader reader = new LineReader(socket.getInputStream(), maxLineBytes);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream());
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(EchoProtocol.replyBytes(line));
                if (!reader.hasBufferedLine()) {
                    out.flush();
                }
            }
            out.flush();
        } catch (LineTooLongException tooLong) {
            LingeringClose.refuseLineTooLong(socket, out);
            throw tooLong;
        }
    }
}
